/// Discord Markdown (https://support.discord.com/hc/en-us/articles/210298617 "Markdown Text 101"):
/// `**bold**`, `*italic*`, `` `code` ``, masked links `[text](url)`, `- ` lists. Markdown characters in
/// text are backslash-escaped (`\ * _ ~ ` | [ ]`, and `#`, `>`, `-` at a line start); bare URLs stay
/// as written so Discord links them. No hashtags (Discord has none); `@everyone` is defused by the
/// sender's `allowed_mentions`, not here.
enum DiscordWriter {
    static func write(_ document: MarkdownDocument) -> String {
        document.write(separator: "\n\n", bullet: { ordered, n in ordered ? "\(n). " : "- " }, inline: inline)
    }

    static func escape(_ text: String, atLineStart: Bool) -> String {
        var lineStart = atLineStart
        return UTF8Text.replacingBytes(text) { c in
            defer { lineStart = c == 0x0A }
            switch c {
            case 0x5C, 0x2A, 0x5F, 0x7E, 0x60, 0x7C, 0x5B, 0x5D:      // \ * _ ~ ` | [ ]
                return "\\" + String(Unicode.Scalar(c))
            case 0x23, 0x3E, 0x2D:                                    // # > - at a line start
                return lineStart ? "\\" + String(Unicode.Scalar(c)) : nil
            default:
                return nil
            }
        }
    }

    static func inline(_ runs: [MarkdownRun]) -> String {
        var out = ""
        var atLineStart = true
        runs.forEachSegment { segment in
            switch segment {
            case .run(let run):
                switch run.tag {
                case .lineBreak:
                    out += "\n"
                    atLineStart = true
                    return
                case .url, .schemelessURL:
                    out += run.text
                default:
                    if run.style.contains(.code) {
                        let fence = UTF8Text.containsByte(run.text, 0x60) ? "``" : "`"
                        out += fence + (fence.count == 2 ? " " + run.text + " " : run.text) + fence
                    } else {
                        var open = "", close = ""
                        if run.style.contains(.bold) { open += "**"; close = "**" + close }
                        if run.style.contains(.italic) { open += "*"; close = "*" + close }
                        out += Emphasis.wrap(escape(run.text, atLineStart: atLineStart && open.isEmpty),
                                             open: open, close: close)
                    }
                }
            case .link(let destination, let runs):
                let text = runs.map(\.text).joined()
                if PlainTextWriter.linkTextIsDestination(text, destination) || text.isEmpty {
                    out += destination
                } else {
                    out += "[" + escape(text, atLineStart: false) + "](" + maskedDestination(destination) + ")"
                }
            }
            atLineStart = false
        }
        return out
    }

    /// Parentheses and spaces would end a masked link's destination early.
    private static func maskedDestination(_ url: String) -> String {
        guard UTF8Text.containsByte(url, where: { $0 == 0x28 || $0 == 0x29 || $0 == 0x20 }) else { return url }
        var out = ""
        for c in url.unicodeScalars {
            switch c {
            case "(": out += "%28"
            case ")": out += "%29"
            case " ": out += "%20"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func tail(link: String?) -> String { link ?? "" }
}
