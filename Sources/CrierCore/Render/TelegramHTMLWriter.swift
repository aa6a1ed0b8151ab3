/// Telegram Bot API HTML (parse_mode `HTML`, https://core.telegram.org/bots/api#html-style): `<b>`,
/// `<i>`, `<code>`, `<a href="…">`; `&`, `<`, `>` escaped everywhere. Bare URLs and `#hashtags` stay
/// text — Telegram links them itself. Tags become hashtags (Telegram makes them searchable).
enum TelegramHTMLWriter {
    static func write(_ document: MarkdownDocument) -> String {
        document.write(separator: "\n\n", bullet: { ordered, n in ordered ? "\(n). " : "• " }, inline: inline)
    }

    static func inline(_ runs: [MarkdownRun]) -> String {
        var out = ""
        runs.forEachSegment { segment in
            switch segment {
            case .run(let run):
                switch run.tag {
                case .lineBreak: out += "\n"
                default: out += HTMLText.styled(run.text, run.style, bold: "b", italic: "i")
                }
            case .link(let destination, let runs):
                out += "<a href=\"" + HTMLText.escape(destination, attribute: true) + "\">"
                for run in runs { out += HTMLText.styled(run.text, run.style, bold: "b", italic: "i") }
                out += "</a>"
            }
        }
        return out
    }

    static func tail(hashtags: [String], link: String?) -> String {
        HTMLText.escape(PlainTextWriter.tail(hashtags: hashtags, link: link))
    }
}
