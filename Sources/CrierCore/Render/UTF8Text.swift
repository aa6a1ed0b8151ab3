/// Small helpers for scanning UTF-8 bytes: every detector in this folder works on the bytes of a string
/// (no regular expressions, no per-character `String` allocation) and reports byte ranges, which are
/// what Bluesky facets need anyway.
enum UTF8Text {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    @inline(__always) static func isASCIIAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    @inline(__always) static func isASCIIDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    @inline(__always) static func isASCIISpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == 0x0C || c == 0x0B
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }

    /// The scalar starting at `i` and its length in bytes (a malformed byte decodes as U+FFFD, length 1).
    @inline(__always) static func scalar(_ b: Bytes, at i: Int) -> (Unicode.Scalar, Int) {
        let c0 = b[i]
        if c0 < 0x80 { return (Unicode.Scalar(c0), 1) }
        var value: UInt32
        var length: Int
        if c0 & 0xE0 == 0xC0 { value = UInt32(c0 & 0x1F); length = 2 }
        else if c0 & 0xF0 == 0xE0 { value = UInt32(c0 & 0x0F); length = 3 }
        else if c0 & 0xF8 == 0xF0 { value = UInt32(c0 & 0x07); length = 4 }
        else { return ("\u{FFFD}", 1) }
        guard i + length <= b.count else { return ("\u{FFFD}", 1) }
        for k in 1..<length {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(c & 0x3F)
        }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The scalar that ends just before `i` (nil at the start).
    @inline(__always) static func scalar(_ b: Bytes, before i: Int) -> Unicode.Scalar? {
        guard i > 0 else { return nil }
        var start = i - 1
        while start > 0 && b[start] & 0xC0 == 0x80 && i - start < 4 { start -= 1 }
        return scalar(b, at: start).0
    }

    /// Letters, marks and numbers of any script (what a hashtag or an IDN label may contain).
    @inline(__always) static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return isASCIIAlnum(UInt8(s.value)) || s.value == 0x5F }
        let p = s.properties
        if p.isAlphabetic { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return s.value == 0x200C || s.value == 0x200D
        }
    }

    /// Runs `body` over the string's UTF-8 bytes without copying them when the string is native.
    @inline(__always) static func withBytes<R>(_ text: String, _ body: (Bytes) -> R) -> R {
        var text = text
        return text.withUTF8 { body($0) }
    }

    @inline(__always) static func string(_ b: Bytes, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[range]), as: UTF8.self)
    }
}

extension UTF8Text {
    /// Whether `needle`'s bytes occur in `haystack` (plain byte search: no Foundation, no locale).
    static func contains(_ haystack: String, _ needle: some StringProtocol) -> Bool {
        let n = Array(needle.utf8)
        guard let first = n.first else { return true }
        return withBytes(haystack) { h in
            guard h.count >= n.count else { return false }
            var i = 0
            let last = h.count - n.count
            while i <= last {
                if h[i] == first {
                    var k = 1
                    while k < n.count && h[i + k] == n[k] { k += 1 }
                    if k == n.count { return true }
                }
                i += 1
            }
            return false
        }
    }
}

extension String {
    /// Without leading and trailing whitespace and newlines: the Unicode `White_Space` scalars, the
    /// same set as Foundation's `.whitespacesAndNewlines` (a test holds it to that), at a fraction of
    /// `trimmingCharacters(in:)`'s cost — the parser trims every post body and field with it.
    func crierTrimmingWhitespace() -> String {
        // The usual case first, on the bytes: the text ends (after any ASCII white space) in ASCII
        // characters that are not white space at both sides. The only ASCII `White_Space` scalars
        // are U+0009–U+000D and U+0020; a non-ASCII byte at either end goes the scalar way below.
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, Self.isASCIIWhitespace(utf8[start]) { start = utf8.index(after: start) }
        if start == end { return "" }
        var lastByte = utf8[utf8.index(before: end)]
        while Self.isASCIIWhitespace(lastByte) {
            end = utf8.index(before: end)
            lastByte = utf8[utf8.index(before: end)]
        }
        if utf8[start] < 0x80, lastByte < 0x80 {
            if start == utf8.startIndex, end == utf8.endIndex { return self }
            return String(self[start..<end])
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return self }
        return String(scalars[first...last])
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }
}

extension UTF8Text {
    /// `text` with each byte for which `replacement` returns a string replaced by it. Only ASCII bytes
    /// are ever passed in practice (every escaped character is ASCII), so UTF-8 stays valid.
    @inline(__always)
    static func replacingBytes(_ text: String, _ replacement: (UInt8) -> String?) -> String {
        withBytes(text) { b in
            var out: [UInt8] = []
            var runStart = 0
            for i in 0..<b.count where b[i] < 0x80 {
                guard let r = replacement(b[i]) else { continue }
                if out.isEmpty { out.reserveCapacity(b.count + 16) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i]))
                out.append(contentsOf: r.utf8)
                runStart = i + 1
            }
            if runStart == 0 && out.isEmpty { return text }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<b.count]))
            return String(decoding: out, as: UTF8.self)
        }
    }
}

extension UTF8Text {
    /// Whether any byte of `text` satisfies `predicate` (a tight loop over contiguous UTF-8; the
    /// generic `String.UTF8View.contains` is several times slower).
    @inline(__always) static func containsByte(_ text: String, where predicate: (UInt8) -> Bool) -> Bool {
        withBytes(text) { b in
            for c in b where predicate(c) { return true }
            return false
        }
    }

    @inline(__always) static func containsByte(_ text: String, _ byte: UInt8) -> Bool {
        containsByte(text) { $0 == byte }
    }
}

extension UTF8Text {
    /// Byte-for-byte equality (`==` on `String` compares canonical equivalence, which normalises).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return withBytes(a) { x in
            withBytes(b) { y in
                if x.baseAddress == y.baseAddress { return true }
                for i in 0..<x.count where x[i] != y[i] { return false }
                return true
            }
        }
    }
}
