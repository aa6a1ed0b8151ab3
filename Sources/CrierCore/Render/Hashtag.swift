/// Hashtags: making them from a post's `tags`, and finding them in text.
enum Hashtag {
    /// The hashtag for a tag, without `#`: multi-word tags are camel-cased ("open source" → `openSource`,
    /// "swift-on-server" → `swiftOnServer`); characters a hashtag cannot hold are dropped. Nil when
    /// nothing usable remains or only digits do (`#2026` is not a hashtag anywhere).
    static func fromTag(_ tag: String) -> String? {
        if !UTF8Text.containsByte(tag, where: { !UTF8Text.isASCIIAlnum($0) }),
           UTF8Text.containsByte(tag, where: { !UTF8Text.isASCIIDigit($0) }) { return tag }
        var result = String.UnicodeScalarView()
        var upperNext = false
        var first = true
        for s in tag.unicodeScalars {
            if s == "#" && first { continue }
            if s.properties.isWhitespace || s == "-" || s == "." || s == "/" {
                upperNext = !result.isEmpty
                continue
            }
            guard UTF8Text.isWordScalar(s) else { continue }
            first = false
            if upperNext {
                result.append(contentsOf: String(s).uppercased().unicodeScalars)
                upperNext = false
            } else {
                result.append(s)
            }
        }
        guard result.contains(where: { !($0.value >= 0x30 && $0.value <= 0x39) && $0 != "_" })
        else { return nil }
        return String(result)
    }

    /// A hashtag found in text: `range` covers `#tag`, `tag` the part after `#` (UTF-8 byte ranges).
    struct Match: Equatable {
        var range: Range<Int>
        var tag: Range<Int>
    }

    static func matches(in text: String) -> [Match] {
        UTF8Text.withBytes(text) { matches(in: $0) }
    }

    static func tags(in text: String) -> [String] {
        UTF8Text.withBytes(text) { b in matches(in: b).map { UTF8Text.string(b, $0.tag) } }
    }

    /// `#` (or fullwidth `＃`) not after a letter, digit, `_`, `&` or `/`, then letters, marks, digits and
    /// `_` of any script, not only digits. Punctuation ends it: "(#swift)," finds `#swift`.
    static func matches(in b: UTF8Text.Bytes) -> [Match] {
        var result: [Match] = []
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            var markLength = 0
            if c == 0x23 { markLength = 1 }
            else if c == 0xEF && i + 2 < n && b[i + 1] == 0xBC && b[i + 2] == 0x83 { markLength = 3 }
            guard markLength > 0 else { i += 1; continue }
            if let p = UTF8Text.scalar(b, before: i),
               UTF8Text.isWordScalar(p) || p == "&" || p == "/" || p == "#" || p == "@" {
                i += markLength
                continue
            }
            let tagStart = i + markLength
            var j = tagStart
            var hasNonDigit = false
            while j < n {
                let (s, len) = UTF8Text.scalar(b, at: j)
                guard UTF8Text.isWordScalar(s), s.value != 0xFE0F, s.value != 0xFE0E else { break }
                // The first character must be a letter, digit or `_`, not a joiner or mark (`#️⃣`).
                if j == tagStart && (s.value == 0x200C || s.value == 0x200D || s.properties.generalCategory.isMark) {
                    break
                }
                if !(s.value >= 0x30 && s.value <= 0x39) && s != "_" { hasNonDigit = true }
                j += len
            }
            if j > tagStart && hasNonDigit {
                result.append(Match(range: i..<j, tag: tagStart..<j))
            }
            i = max(j, i + markLength)
        }
        return result
    }
}

private extension Unicode.GeneralCategory {
    var isMark: Bool { self == .nonspacingMark || self == .spacingMark || self == .enclosingMark }
}
