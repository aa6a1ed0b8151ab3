/// The front matter almost every post has — one `key: value` per line, values plain words, simply
/// quoted text or a one-line list like `[ops, news]` — read without the YAML library, which costs
/// about ten times as much per post (libyaml's events, then Yams's nodes, tags and duplicate-key
/// check, then `FieldNode`): a scan of a 100,000-file backlog spends most of its CPU here.
///
/// It is an optimisation only. It recognises a deliberately small subset of YAML, gives for it
/// exactly the `FieldNode` (values, kinds and lines) the general path (`FieldNode.parseYAML` through
/// Yams) gives, and answers nil for anything else — every other construct, anything unusual
/// (tabs, CR, `#`, control or Unicode line-break characters, a BOM, backslashes, a quote inside
/// quotes, a duplicate key, an indented line, an empty value, a value that starts with a YAML
/// indicator) and every text the library would refuse — so the library parses it and reports its
/// errors as before. Tests compare both paths on generated and hostile texts
/// (`FlatYAMLTests`).
///
/// Accepted, line by line (lines end with LF; blank lines are skipped):
///
///     key: plain value          letters, digits, `_` and `-` in the key, which starts with a letter or `_`
///     key: "double quoted"      no `\` and no `"` inside
///     key: 'single quoted'      no `'` inside
///     key: [a, b c, d]          plain items without `:`, `[`, `]`, `{`, `}`; `[]` is an empty list
enum FlatYAML {
    /// The fields of `text`, or nil when the general YAML path must read it. `lineOffset` as in
    /// `FieldNode.parseYAML`.
    static func parse(_ text: String, lineOffset: Int) -> FieldNode? {
        var text = text
        return text.withUTF8 { parse(bytes: $0, lineOffset: lineOffset) }
    }

    /// Front matter larger than this is left to the library.
    static let maxBytes = 64 * 1024

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, lineOffset: Int) -> FieldNode? {
        // Usual front matter is a few hundred bytes; a large one goes through the library, whose
        // conversion counts every value against `FieldNode.maxNodes`.
        guard bytes.count <= maxBytes, allBytesPlain(bytes) else { return nil }
        var entries: [FieldEntry] = []
        var seenKeys: Set<String> = []
        var line = 0
        var start = 0
        let end = bytes.count
        while start < end {
            line += 1
            var lineEnd = start
            while lineEnd < end, bytes[lineEnd] != newline { lineEnd += 1 }
            defer { start = lineEnd + 1 }
            // Blank lines (spaces only) are skipped, as YAML does.
            var first = start
            while first < lineEnd, bytes[first] == space { first += 1 }
            if first == lineEnd { continue }
            // Anything indented (a continuation, a nested block) is for the library.
            guard first == start, let entry = parseEntry(bytes, from: start, to: lineEnd, line: line + lineOffset) else { return nil }
            // A key given twice is the library's error to report. Keys are compared one by one
            // while there are few (the usual front matter), through a set beyond that.
            if entries.count < 16 {
                guard !entries.contains(where: { $0.key == entry.key }) else { return nil }
            } else {
                if seenKeys.isEmpty { seenKeys = Set(entries.map(\.key)) }
                guard seenKeys.insert(entry.key).inserted else { return nil }
            }
            entries.append(entry)
        }
        // No fields at all (empty or blank): the library composes no document, which reads as an empty map.
        guard let firstLine = entries.first?.line else { return .map([], line: lineOffset + 1) }
        return .map(entries, line: firstLine)
    }

    /// `key: value` between `from` (the key's first byte, at the start of the line) and `to` (the end
    /// of the line).
    private static func parseEntry(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, line: Int) -> FieldEntry? {
        guard isKeyStart(bytes[start]) else { return nil }
        var index = start + 1
        while index < end, isKeyByte(bytes[index]) { index += 1 }
        guard index - start <= 128, index < end, bytes[index] == colon else { return nil }
        let key = string(bytes, start, index)
        index += 1
        // `key:` alone opens a nested block or means null: the library's.
        guard index < end, bytes[index] == space else { return nil }
        while index < end, bytes[index] == space { index += 1 }
        guard index < end else { return nil }
        var valueEnd = end
        while bytes[valueEnd - 1] == space { valueEnd -= 1 }
        let value: FieldNode
        switch bytes[index] {
        case UInt8(ascii: "["):
            guard let list = parseList(bytes, from: index + 1, to: valueEnd, line: line) else { return nil }
            value = list
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let quote = bytes[index]
            // One quoted scalar filling the rest of the line; no escapes, no quote inside.
            guard valueEnd - index >= 2, bytes[valueEnd - 1] == quote else { return nil }
            for position in (index + 1)..<(valueEnd - 1) where bytes[position] == quote || bytes[position] == backslash {
                return nil
            }
            value = .scalar(string(bytes, index + 1, valueEnd - 1), line: line)
        default:
            guard isPlainStart(bytes[index]) else { return nil }
            // `: ` would make a mapping inside the value (an error in block context); a final `:` too.
            for position in index..<valueEnd where bytes[position] == colon {
                if position + 1 == valueEnd || bytes[position + 1] == space { return nil }
            }
            value = plain(string(bytes, index, valueEnd), line: line)
        }
        return FieldEntry(key: key, line: line, value: value)
    }

    /// A one-line flow list: `from` is just after `[`, `to` the end of the trimmed value, which must be `]`.
    private static func parseList(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, line: Int) -> FieldNode? {
        guard end > start, bytes[end - 1] == UInt8(ascii: "]") else { return nil }
        let close = end - 1
        var items: [FieldNode] = []
        var index = start
        while index < close, bytes[index] == space { index += 1 }
        if index == close { return .list([], line: line) }
        while true {
            while index < close, bytes[index] == space { index += 1 }
            guard index < close, isPlainStart(bytes[index]) else { return nil }
            let itemStart = index
            while index < close, bytes[index] != UInt8(ascii: ",") {
                guard isFlowItemByte(bytes[index]) else { return nil }
                index += 1
            }
            var itemEnd = index
            while bytes[itemEnd - 1] == space { itemEnd -= 1 }
            items.append(plain(string(bytes, itemStart, itemEnd), line: line))
            if index == close { return .list(items, line: line) }
            index += 1  // the comma
            // A trailing comma (`[a, ]`) or an empty item (`[a,,b]`) is left to the library.
            while index < close, bytes[index] == space { index += 1 }
            guard index < close else { return nil }
        }
    }

    /// A plain scalar as `FieldNode.convert` makes it: YAML's null words are null.
    private static func plain(_ value: String, line: Int) -> FieldNode {
        FieldNode.isPlainNull(value) ? .null(line: line) : .scalar(value, line: line)
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// No byte that could mean more than a plain character to YAML: control characters other than LF
    /// (tab and CR included), DEL, `#` (comments), and the multi-byte characters libyaml treats
    /// specially (C1 controls with NEL, LS, PS, BOM, U+FFFE/U+FFFF). The text is valid UTF-8.
    private static func allBytesPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                if (byte < 0x20 && byte != newline) || byte == 0x7F || byte == UInt8(ascii: "#") { return false }
                index += 1
                continue
            }
            let next = index + 1 < count ? bytes[index + 1] : 0
            let third = index + 2 < count ? bytes[index + 2] : 0
            switch byte {
            case 0xC2 where next < 0xA0: return false
            case 0xE2 where next == 0x80 && (third == 0xA8 || third == 0xA9): return false
            case 0xEF where (next == 0xBB && third == 0xBF) || (next == 0xBF && (third == 0xBE || third == 0xBF)): return false
            default: break
            }
            index += 1
        }
        return true
    }

    private static let newline = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let colon = UInt8(ascii: ":")
    private static let backslash = UInt8(ascii: "\\")

    private static func isKeyStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        isKeyStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }

    /// A plain scalar may start with this byte: not a YAML indicator, not a space.
    private static func isPlainStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"),
             UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"),
             UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
            return false
        default:
            return true
        }
    }

    /// Inside a flow list's plain item: no flow indicators, no `:`.
    private static func isFlowItemByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"): return false
        default: return true
        }
    }
}
