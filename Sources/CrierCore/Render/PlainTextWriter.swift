/// Plain text for platforms without markup (X, Mastodon, Bluesky, Threads, Facebook, Instagram, and the
/// Matrix `body`): links as `text url`, emphasis dropped, lists as `• ` bullets (ordered lists keep
/// their numbers), paragraphs separated by a blank line.
enum PlainTextWriter {
    static func write(_ document: MarkdownDocument) -> String {
        document.write(separator: "\n\n", bullet: { ordered, n in ordered ? "\(n). " : "• " }, inline: inline)
    }

    static func inline(_ runs: [MarkdownRun]) -> String {
        var out = ""
        runs.forEachSegment { segment in
            switch segment {
            case .run(let run):
                out += run.text
            case .link(let destination, let runs):
                let text = runs.map(\.text).joined()
                if PlainTextWriter.linkTextIsDestination(text, destination) || text.isEmpty {
                    out += destination
                } else {
                    out += text
                    out += " "
                    out += destination
                }
            }
        }
        return out
    }

    /// Hashtags on one line, then the link on its own line.
    static func tail(hashtags: [String], link: String?) -> String {
        var out = hashtags.map { "#" + $0 }.joined(separator: " ")
        if let link {
            if !out.isEmpty { out += "\n" }
            out += link
        }
        return out
    }

    /// Whether a link's text just repeats its destination (`[example.com](https://example.com)`), so only
    /// the destination is written.
    static func linkTextIsDestination(_ text: String, _ destination: String) -> Bool {
        if text == destination { return true }
        var d = Substring(destination)
        for scheme in ["https://", "http://"] where d.hasPrefix(scheme) { d = d.dropFirst(scheme.count) }
        if d.hasSuffix("/") && !text.hasSuffix("/") { d = d.dropLast() }
        return text == d
    }
}
