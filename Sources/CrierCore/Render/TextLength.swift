/// Counts text the way each platform counts it; the number a preview shows as `length`.
public enum TextLength {
    /// `text` exactly as it would be sent to `platform`, measured in that platform's unit
    /// (`PlatformRules.unit`): X weighted length with URLs as 23, Bluesky graphemes, Mastodon graphemes
    /// with URLs as 23 and remote mentions as the local part, Telegram's UTF-16 units of the visible text.
    public static func count(_ text: String, platform: Platform) -> Int {
        count(text, rules: PlatformDescriptor.of(platform).rules)
    }

    static func count(_ text: String, rules: PlatformRules) -> Int {
        switch rules.unit {
        case .weighted:
            return WeightedLength.count(text)
        case .graphemes:
            return GraphemeLength.count(text, urlLength: rules.urlLength, urlsNeedScheme: rules.urlsNeedScheme,
                                        remoteMentionsAsLocal: rules.remoteMentionsAsLocal)
        case .scalars:
            return text.unicodeScalars.count
        case .utf16:
            return text.utf16.count
        case .visibleHTMLUTF16:
            return visibleHTMLUTF16(text)
        }
    }

    /// UTF-16 units of HTML's visible text: tags skipped, `&amp;`-style entities as one unit.
    static func visibleHTMLUTF16(_ text: String) -> Int {
        UTF8Text.withBytes(text) { b in
            var total = 0
            var i = 0
            let n = b.count
            while i < n {
                let c = b[i]
                if c == 0x3C {                         // <tag>
                    while i < n && b[i] != 0x3E { i += 1 }
                    i += 1
                } else if c == 0x26 {                  // &entity;
                    var j = i + 1
                    while j < n && j - i < 10 && (UTF8Text.isASCIIAlnum(b[j]) || b[j] == 0x23) { j += 1 }
                    if j < n && b[j] == 0x3B && j > i + 1 { i = j + 1 } else { i += 1 }
                    total += 1
                } else {
                    if c < 0x80 || c & 0xE0 == 0xC0 || c & 0xF0 == 0xE0 { total += 1 }
                    else if c & 0xF8 == 0xF0 { total += 2 }
                    i += 1
                }
            }
            return total
        }
    }

    /// Whether `text` fits `limit` (and the platform's byte limit); `limit` nil means it always fits.
    static func fits(_ text: String, limit: Int?, rules: PlatformRules) -> Bool {
        if let maxBytes = rules.maxBytes, text.utf8.count > maxBytes { return false }
        guard let limit else { return true }
        return count(text, rules: rules) <= limit
    }
}
