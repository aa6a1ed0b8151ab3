/// Splits a Markdown post into its YAML front matter (between `---` lines) and its body.
public enum FrontMatter {
    public struct Split: Sendable, Equatable {
        public var frontMatter: String
        /// Line number (1-based) of the first front matter line, for error positions.
        public var frontMatterFirstLine: Int
        public var body: String
    }

    /// Line breaks may be `\n` or `\r\n` (a file saved on Windows); the parts come back with `\n`.
    /// Lines are found on the UTF-8 view and only the front matter is cut into lines: the body is
    /// taken whole, however long it is.
    public static func split(_ text: String) throws(FieldSyntaxError) -> Split {
        var content = Substring(text.utf8.contains(UInt8(ascii: "\r")) ? text.replacingOccurrences(of: "\r\n", with: "\n") : text)
        if content.hasPrefix("\u{FEFF}") { content = content.dropFirst() }
        let utf8 = content.utf8
        func lineEnd(from start: Substring.Index) -> Substring.Index {
            utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
        }
        let firstEnd = lineEnd(from: utf8.startIndex)
        guard content[utf8.startIndex..<firstEnd].trimmingTrailingSpace() == "---" else {
            throw FieldSyntaxError(line: 1, message: "no front matter: start the file with a line '---', then fields such as `channels: [ops]`, then '---', then the text")
        }
        let neverClosed = FieldSyntaxError(line: 1, message: "the front matter opened on line 1 is never closed; add a line '---' after the fields")
        guard firstEnd < utf8.endIndex else { throw neverClosed }
        let frontMatterStart = utf8.index(after: firstEnd)
        var lineStart = frontMatterStart
        while true {
            let end = lineEnd(from: lineStart)
            let line = content[lineStart..<end].trimmingTrailingSpace()
            if line == "---" || line == "..." {
                let frontMatter = lineStart == frontMatterStart ? "" : String(content[frontMatterStart..<utf8.index(before: lineStart)])
                let body = end == utf8.endIndex ? "" : String(content[utf8.index(after: end)...])
                return Split(frontMatter: frontMatter, frontMatterFirstLine: 2, body: body)
            }
            guard end < utf8.endIndex else { throw neverClosed }
            lineStart = utf8.index(after: end)
        }
    }
}

extension Substring {
    fileprivate func trimmingTrailingSpace() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result = result.dropLast() }
        return result
    }
}
