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
        var content = UTF8Text.containsByte(text, where: { $0 == UInt8(ascii: "\r") })
            ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        // A BOM is dropped when it is the first character on its own (the bytes are looked at first: a
        // BOM followed by a combining mark is one character that is not a BOM, and stays).
        let skip = content.utf8.starts(with: [0xEF, 0xBB, 0xBF]) && content.hasPrefix("\u{FEFF}") ? 3 : 0
        // On the bytes: a line is `---` (or `...`) when it is those three bytes followed only by
        // spaces, tabs or CRs — what comparing the line's characters, trailing space trimmed, gives,
        // since nothing else is canonically equivalent to `---` or `...`.
        let found: Result<Split, FieldSyntaxError> = content.withUTF8 { bytes in
            let count = bytes.count
            func lineEnd(from start: Int) -> Int {
                var index = start
                while index < count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                return index
            }
            func isMarker(_ start: Int, _ end: Int, _ marker: UInt8) -> Bool {
                guard end - start >= 3, bytes[start] == marker, bytes[start + 1] == marker, bytes[start + 2] == marker else { return false }
                for index in (start + 3)..<end {
                    let byte = bytes[index]
                    guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") else { return false }
                }
                return true
            }
            func text(_ start: Int, _ end: Int) -> String {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }
            let firstEnd = lineEnd(from: skip)
            guard isMarker(skip, firstEnd, UInt8(ascii: "-")) else {
                return .failure(FieldSyntaxError(line: 1, message: "no front matter: start the file with a line '---', then fields such as `channels: [ops]`, then '---', then the text"))
            }
            let neverClosed = FieldSyntaxError(line: 1, message: "the front matter opened on line 1 is never closed; add a line '---' after the fields")
            guard firstEnd < count else { return .failure(neverClosed) }
            let frontMatterStart = firstEnd + 1
            var lineStart = frontMatterStart
            while true {
                let end = lineEnd(from: lineStart)
                if isMarker(lineStart, end, UInt8(ascii: "-")) || isMarker(lineStart, end, UInt8(ascii: ".")) {
                    let frontMatter = lineStart == frontMatterStart ? "" : text(frontMatterStart, lineStart - 1)
                    let body = end == count ? "" : text(end + 1, count)
                    return .success(Split(frontMatter: frontMatter, frontMatterFirstLine: 2, body: body))
                }
                guard end < count else { return .failure(neverClosed) }
                lineStart = end + 1
            }
        }
        return try found.get()
    }
}

