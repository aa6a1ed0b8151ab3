/// LinkedIn's "little text format" for post commentary
/// (https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format):
/// no emphasis; every reserved character `\ | { } @ [ ] ( ) < > # * _ ~` is backslash-escaped, or
/// LinkedIn silently drops the text after it; hashtags — from `tags` and `#words` in the body — are
/// written as the template `{hashtag|\#|tag}`. Links as `text url`, lists as `• ` bullets.
enum LinkedInLittleWriter {
    static func write(_ document: MarkdownDocument) -> String {
        document.write(separator: "\n\n", bullet: { ordered, n in ordered ? "\(n). " : "• " }, inline: inline)
    }

    static func isReserved(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "\\", "|", "{", "}", "@", "[", "]", "(", ")", "<", ">", "#", "*", "_", "~": true
        default: false
        }
    }

    static func escape(_ text: String) -> String {
        UTF8Text.replacingBytes(text) { c in isReserved(Unicode.Scalar(c)) ? "\\" + String(Unicode.Scalar(c)) : nil }
    }

    static func hashtag(_ tag: String) -> String { "{hashtag|\\#|" + escape(tag) + "}" }

    /// Escaped text whose `#hashtags` become hashtag templates.
    static func textWithHashtags(_ text: String) -> String {
        guard UTF8Text.containsByte(text, where: { $0 == 0x23 || $0 == 0xEF }) else { return escape(text) }
        return UTF8Text.withBytes(text) { b in
            var out = ""
            var i = 0
            for match in Hashtag.matches(in: b) {
                out += escape(UTF8Text.string(b, i..<match.range.lowerBound))
                out += hashtag(UTF8Text.string(b, match.tag))
                i = match.range.upperBound
            }
            out += escape(UTF8Text.string(b, i..<b.count))
            return out
        }
    }

    static func inline(_ runs: [MarkdownRun]) -> String {
        var out = ""
        runs.forEachSegment { segment in
            switch segment {
            case .run(let run):
                switch run.tag {
                case .lineBreak: out += "\n"
                case .text where !run.style.contains(.code): out += textWithHashtags(run.text)
                default: out += escape(run.text)
                }
            case .link(let destination, let runs):
                let text = runs.map(\.text).joined()
                if !PlainTextWriter.linkTextIsDestination(text, destination) && !text.isEmpty { out += escape(text) + " " }
                out += escape(destination)
            }
        }
        return out
    }

    static func tail(hashtags: [String], link: String?) -> String {
        var out = hashtags.map(hashtag).joined(separator: " ")
        if let link {
            if !out.isEmpty { out += "\n" }
            out += escape(link)
        }
        return out
    }
}
