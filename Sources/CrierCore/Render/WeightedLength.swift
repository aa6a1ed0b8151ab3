import Foundation

/// X's weighted length, after twitter-text v3 (https://github.com/twitter/twitter-text/blob/master/config/v3.json,
/// "Counting characters" https://docs.x.com/resources/fundamentals/counting-characters):
/// the text is NFC-normalised; code points in 0–4351, 8192–8205, 8208–8223 and 8242–8247 weigh 1, all
/// others 2; an emoji sequence (ZWJ families, flags, keycaps, skin tones) weighs 2 in all; a URL, with
/// or without scheme, weighs 23 however long it is.
enum WeightedLength {
    static let urlWeight = 23

    static func count(_ text: String) -> Int {
        let normalized = needsNormalization(text) ? text.precomposedStringWithCanonicalMapping : text
        return UTF8Text.withBytes(normalized) { b in
            let urls = URLDetector.ranges(in: b)
            var total = 0
            var i = 0
            var nextURL = 0
            let n = b.count
            while i < n {
                if nextURL < urls.count && urls[nextURL].lowerBound == i {
                    total += urlWeight
                    i = urls[nextURL].upperBound
                    nextURL += 1
                    continue
                }
                let c = b[i]
                if c < 0x80 {
                    // A keycap (`1️⃣`) starts with an ASCII digit, `#` or `*`.
                    if i + 1 < n && b[i + 1] >= 0x80, let end = emojiEnd(b, at: i) {
                        total += 2
                        i = end
                    } else {
                        total += 1
                        i += 1
                    }
                    continue
                }
                if let end = emojiEnd(b, at: i) {
                    total += 2
                    i = end
                    continue
                }
                let (s, len) = UTF8Text.scalar(b, at: i)
                total += weight(s.value)
                i += len
            }
            return total
        }
    }

    @inline(__always) static func weight(_ v: UInt32) -> Int {
        switch v {
        case 0...4351, 8192...8205, 8208...8223, 8242...8247: 1
        default: 2
        }
    }

    /// If an emoji sequence starts at `i`, where it ends.
    static func emojiEnd(_ b: UTF8Text.Bytes, at i: Int) -> Int? {
        let (first, firstLength) = UTF8Text.scalar(b, at: i)
        var j = i + firstLength
        let n = b.count
        func peek() -> (Unicode.Scalar, Int)? { j < n ? UTF8Text.scalar(b, at: j) : nil }
        // Keycap: [0-9#*] FE0F? 20E3
        if first.value < 0x80 {
            guard UTF8Text.isASCIIDigit(UInt8(first.value)) || first == "#" || first == "*" else { return nil }
            if let (s, l) = peek(), s.value == 0xFE0F { j += l }
            if let (s, l) = peek(), s.value == 0x20E3 { return j + l }
            return nil
        }
        // Flag: two regional indicators.
        if isRegionalIndicator(first.value) {
            if let (s, l) = peek(), isRegionalIndicator(s.value) { return j + l }
            return j
        }
        let p = first.properties
        guard p.isEmoji else { return nil }
        var isEmoji = p.isEmojiPresentation
        // Subdivision flags: 1F3F4 followed by tag characters and a cancel tag.
        while true {
            guard let (s, l) = peek() else { break }
            let v = s.value
            if v == 0xFE0F { isEmoji = true; j += l }
            else if v == 0xFE0E { j += l; if !p.isEmojiPresentation { isEmoji = false } }
            else if v >= 0x1F3FB && v <= 0x1F3FF { isEmoji = true; j += l }    // skin tones
            else if v >= 0xE0020 && v <= 0xE007F { isEmoji = true; j += l }    // tags
            else if v == 0x20E3 { isEmoji = true; j += l }
            else if v == 0x200D, isEmoji || p.isEmojiPresentation {              // ZWJ + next emoji
                let afterJoiner = j + l
                guard afterJoiner < n else { break }
                let (next, nextLength) = UTF8Text.scalar(b, at: afterJoiner)
                guard next.properties.isEmoji else { break }
                j = afterJoiner + nextLength
                isEmoji = true
            } else { break }
        }
        return isEmoji ? j : nil
    }

    @inline(__always) static func isRegionalIndicator(_ v: UInt32) -> Bool { v >= 0x1F1E6 && v <= 0x1F1FF }

    /// NFC can only change the count of text holding a character that composes with the one before it
    /// (Unicode's NFC_Quick_Check Maybe set) or one that never survives NFC (NFC_Quick_Check No); these
    /// ranges cover both, generously. Everything else — nearly every post — skips the (allocating)
    /// normalisation. Reordering combining marks, which NFC also does, does not change a weight.
    static func needsNormalization(_ text: String) -> Bool {
        for s in text.unicodeScalars where s.value >= 0x300 {
            switch s.value {
            case 0x0300...0x0345, 0x0374, 0x037E, 0x0387, 0x0653...0x0655, 0x0900...0x0DFF, 0x0F00...0x0FFF,
                 0x1000...0x109F, 0x1100...0x11FF, 0x1B00...0x1B7F, 0x1F00...0x1FFF, 0x2000...0x2001,
                 0x2126...0x212B, 0x2329...0x232A, 0x2ADC, 0x3099...0x309A, 0xF900...0xFAFF, 0xFB1D...0xFB4F,
                 0x11000...0x115FF, 0x1D15E...0x1D1C0, 0x2F800...0x2FA1F:
                return true
            default:
                continue
            }
        }
        return false
    }
}
