/// Grapheme-cluster length (Swift `Character`s), optionally with every URL counted as a fixed length and
/// remote mentions as their local part — Mastodon's rule (StatusLengthValidator:
/// https://github.com/mastodon/mastodon/blob/main/app/validators/status_length_validator.rb).
enum GraphemeLength {
    static func count(_ text: String, urlLength: Int?, urlsNeedScheme: Bool, remoteMentionsAsLocal: Bool) -> Int {
        var total = graphemes(text)
        guard urlLength != nil || remoteMentionsAsLocal else { return total }
        UTF8Text.withBytes(text) { b in
            if let urlLength {
                for r in URLDetector.ranges(in: b, options: .init(requireScheme: urlsNeedScheme)) {
                    total += urlLength - graphemes(b, r)
                }
            }
            if remoteMentionsAsLocal, b.contains(0x40) {
                for m in MastodonMention.matches(in: b) where m.isRemote {
                    total -= graphemes(b, m.localEnd..<m.range.upperBound)
                }
            }
        }
        return total
    }

    /// `text.count`, with ASCII stretches counted byte by byte: only the non-ASCII runs (with the ASCII
    /// character before them, which a combining mark or keycap may join) go through grapheme breaking.
    static func graphemes(_ text: String) -> Int {
        let nonASCII = UTF8Text.withBytes(text) { b -> Int? in
            var i = 0
            while i < b.count && b[i] < 0x80 && b[i] != 0x0D { i += 1 }
            return i < b.count ? max(i - 1, 0) : nil
        }
        // All ASCII without CR: one grapheme per byte.
        guard let firstSpecial = nonASCII else { return text.utf8.count }
        // Before the first special byte (less the ASCII character a mark may join), bytes are graphemes.
        let utf8 = text.utf8
        let from = utf8.index(utf8.startIndex, offsetBy: firstSpecial)
        return firstSpecial + text[from...].count
    }

    /// Graphemes in a byte range; ASCII ranges (nearly every URL) without building a string.
    @inline(__always) static func graphemes(_ b: UTF8Text.Bytes, _ r: Range<Int>) -> Int {
        if !r.contains(where: { b[$0] >= 0x80 || b[$0] == 0x0D }) { return r.count }
        return UTF8Text.string(b, r).count
    }
}
