/// Matrix `m.text` content (https://spec.matrix.org/latest/client-server-api/#mroommessage-msgtypes):
/// a plain `body` (as `PlainTextWriter`) and an `org.matrix.custom.html` `formatted_body` using only
/// the spec's recommended tags: `p`, `br`, `strong`, `em`, `code`, `a`, `ul`, `ol`, `li`.
/// No hashtags: Matrix has none.
enum MatrixWriter {
    static func write(_ document: MarkdownDocument) -> (body: String, html: String) {
        var html = ""
        for block in document.blocks {
            switch block {
            case .paragraph(let runs):
                html += "<p>" + inline(runs) + "</p>"
            case .list(let ordered, let start, let items):
                html += ordered ? (start == 1 ? "<ol>" : "<ol start=\"\(start)\">") : "<ul>"
                for item in items { html += "<li>" + inline(item) + "</li>" }
                html += ordered ? "</ol>" : "</ul>"
            }
        }
        return (PlainTextWriter.write(document), html)
    }

    static func inline(_ runs: [MarkdownRun]) -> String {
        var out = ""
        runs.forEachSegment { segment in
            switch segment {
            case .run(let run):
                switch run.tag {
                case .lineBreak: out += "<br>"
                case .url: out += anchor(run.text, HTMLText.escape(run.text))
                default: out += HTMLText.styled(run.text, run.style, bold: "strong", italic: "em")
                }
            case .link(let destination, let runs):
                var text = ""
                for run in runs { text += HTMLText.styled(run.text, run.style, bold: "strong", italic: "em") }
                out += anchor(destination, text)
            }
        }
        return out
    }

    static func anchor(_ destination: String, _ innerHTML: String) -> String {
        "<a href=\"" + HTMLText.escape(destination, attribute: true) + "\">" + innerHTML + "</a>"
    }

    static func tail(link: String?) -> (body: String, html: String)? {
        guard let link else { return nil }
        return (link, "<p>" + anchor(link, HTMLText.escape(link)) + "</p>")
    }
}
