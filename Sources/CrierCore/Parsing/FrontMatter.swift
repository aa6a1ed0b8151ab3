/// Splits a Markdown post into its YAML front matter (between `---` lines) and its body.
public enum FrontMatter {
    public struct Split: Sendable, Equatable {
        public var frontMatter: String
        /// Line number (1-based) of the first front matter line, for error positions.
        public var frontMatterFirstLine: Int
        public var body: String
    }

    public static func split(_ text: String) throws(FieldSyntaxError) -> Split {
        var content = Substring(text)
        if content.hasPrefix("\u{FEFF}") { content = content.dropFirst() }
        let lines = content.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.trimmingTrailingSpace() == "---" else {
            throw FieldSyntaxError(line: 1, message: "no front matter: start the file with a line '---', then fields such as `channels: [ops]`, then '---', then the text")
        }
        guard let closing = lines.indices.dropFirst().first(where: {
            let line = lines[$0].trimmingTrailingSpace()
            return line == "---" || line == "..."
        }) else {
            throw FieldSyntaxError(line: 1, message: "the front matter opened on line 1 is never closed; add a line '---' after the fields")
        }
        let frontMatter = lines[1..<closing].joined(separator: "\n")
        let body = lines[(closing + 1)...].joined(separator: "\n")
        return Split(frontMatter: frontMatter, frontMatterFirstLine: 2, body: body)
    }
}

extension Substring {
    fileprivate func trimmingTrailingSpace() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result = result.dropLast() }
        return result
    }
}
