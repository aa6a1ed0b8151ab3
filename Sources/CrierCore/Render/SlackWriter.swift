/// Slack mrkdwn (https://api.slack.com/reference/surfaces/formatting): `*bold*`, `_italic_`,
/// `` `code` ``, `<url|text>`, bare URLs as `<url>`; `&`, `<`, `>` escaped as `&amp;`, `&lt;`, `&gt;`
/// (https://api.slack.com/reference/surfaces/formatting#escaping). No hashtags: `#name` means a channel.
enum SlackWriter {
    static func write(_ document: MarkdownDocument) -> String {
        document.write(separator: "\n\n", bullet: { ordered, n in ordered ? "\(n). " : "• " }, inline: inline)
    }

    /// Slack's three escapes are HTML's.
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    static func inline(_ runs: [MarkdownRun]) -> String {
        var out = ""
        runs.forEachSegment { segment in
            switch segment {
            case .run(let run):
                switch run.tag {
                case .lineBreak: out += "\n"
                case .url: out += "<" + escape(run.text) + ">"
                default:
                    if run.style.contains(.code) {
                        out += "`" + escape(run.text) + "`"
                    } else {
                        var open = "", close = ""
                        if run.style.contains(.bold) { open += "*"; close = "*" + close }
                        if run.style.contains(.italic) { open += "_"; close = "_" + close }
                        out += Emphasis.wrap(escape(run.text), open: open, close: close)
                    }
                }
            case .link(let destination, let runs):
                let text = runs.map(\.text).joined()
                out += "<" + escape(destination) + (text.isEmpty ? "" : "|" + escape(text)) + ">"
            }
        }
        return out
    }

    static func tail(link: String?) -> String {
        link.map { "<" + escape($0) + ">" } ?? ""
    }
}
