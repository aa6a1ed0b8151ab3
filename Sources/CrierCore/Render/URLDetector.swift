/// Finds URLs in text the way twitter-text roughly does (https://github.com/twitter/twitter-text,
/// `extractUrlsWithIndices`): `http(s)://` followed by a host with a dot (IDN hosts allowed), or —
/// unless `requireScheme` — an ASCII domain ending in a known TLD (`example.com/x`). Paths keep
/// balanced parentheses (`/wiki/Foo_(bar)`) and drop trailing punctuation (`.,;:!?'"*`).
/// Results are UTF-8 byte ranges.
enum URLDetector {
    struct Options: Sendable {
        /// Only `http://` and `https://` URLs (Mastodon's length rule).
        var requireScheme = false
        /// A URL must start the text or follow whitespace or `(` (Bluesky's facet detection);
        /// otherwise twitter-text's looser "not after a letter, digit, `@`, `#`, `$`, `-`, `_`, `.`, `/`".
        var strictBoundary = false
    }

    static func ranges(in text: String, options: Options = Options()) -> [Range<Int>] {
        UTF8Text.withBytes(text) { ranges(in: $0, options: options) }
    }

    static func urls(in text: String, options: Options = Options()) -> [String] {
        UTF8Text.withBytes(text) { b in ranges(in: b, options: options).map { UTF8Text.string(b, $0) } }
    }

    static func ranges(in b: UTF8Text.Bytes, options: Options = Options()) -> [Range<Int>] {
        var result: [Range<Int>] = []
        // Every URL has a dot; most texts' words do not start one.
        guard b.contains(0x2E) else { return result }
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if UTF8Text.isASCIIAlnum(c), i == 0 || !UTF8Text.isASCIIAlnum(b[i - 1]) {
                if let end = url(b, at: i, options: options) {
                    result.append(i..<end)
                    i = end
                    continue
                }
            }
            i += 1
        }
        return result
    }

    /// The end of the URL starting at `start`, if one does.
    private static func url(_ b: UTF8Text.Bytes, at start: Int, options: Options) -> Int? {
        let previous: UInt8? = start > 0 ? b[start - 1] : nil
        if options.strictBoundary, let p = previous, !UTF8Text.isASCIISpace(p), p != 0x28 { return nil }
        if let hostStart = schemeEnd(b, at: start) {
            if let p = previous, UTF8Text.isASCIIAlnum(p) { return nil }
            guard let host = host(b, from: hostStart, allowUnicode: true, needKnownTLD: false) else { return nil }
            return rest(b, afterHost: host)
        }
        if options.requireScheme { return nil }
        if let p = previous {
            switch p {
            case 0x40, 0x24, 0x23, 0x2D, 0x5F, 0x2E, 0x2F, 0x3A: return nil  // @ $ # - _ . / :
            default: break
            }
            // After a letter of another script a URL may start (twitter-text does so too), but not
            // right after a fullwidth @ or # (U+FF20, U+FF03).
            if p >= 0x80, let s = UTF8Text.scalar(b, before: start), s.value == 0xFF20 || s.value == 0xFF03 {
                return nil
            }
        }
        guard let host = host(b, from: start, allowUnicode: false, needKnownTLD: true) else { return nil }
        let end = rest(b, afterHost: host)
        if end < b.count && b[end] == 0x40 { return nil }  // user.name@example.com is an address
        return end
    }

    /// After `http://` or `https://` (any case) at `i`, the index of the host.
    private static func schemeEnd(_ b: UTF8Text.Bytes, at i: Int) -> Int? {
        guard b.count - i >= 8, UTF8Text.lower(b[i]) == 0x68, UTF8Text.lower(b[i + 1]) == 0x74,
              UTF8Text.lower(b[i + 2]) == 0x74, UTF8Text.lower(b[i + 3]) == 0x70 else { return nil }
        var j = i + 4
        if UTF8Text.lower(b[j]) == 0x73 { j += 1 }
        guard j + 3 <= b.count, b[j] == 0x3A, b[j + 1] == 0x2F, b[j + 2] == 0x2F else { return nil }
        return j + 3
    }

    /// Parses `label(.label)+` from `start`; returns the end of the longest valid host (backing off
    /// label by label until the last one is a plausible TLD: `example.com.foo` → `example.com`).
    private static func host(_ b: UTF8Text.Bytes, from start: Int, allowUnicode: Bool, needKnownTLD: Bool) -> Int? {
        let n = b.count
        var i = start
        var dots = 0
        while i < n {
            let c = b[i]
            if UTF8Text.isASCIIAlnum(c) || c == 0x2D || c == 0x5F {
                i += 1
            } else if c >= 0x80 && allowUnicode {
                let (s, len) = UTF8Text.scalar(b, at: i)
                guard UTF8Text.isWordScalar(s) else { break }
                i += len
            } else if c == 0x2E && i > start && b[i - 1] != 0x2E && i + 1 < n
                        && (UTF8Text.isASCIIAlnum(b[i + 1]) || (allowUnicode && b[i + 1] >= 0x80)) {
                dots += 1
                i += 1
            } else {
                break
            }
        }
        guard dots > 0 else { return nil }
        var end = i
        while true {
            var labelStart = end
            while labelStart > start && b[labelStart - 1] != 0x2E { labelStart -= 1 }
            guard labelStart > start else { return nil }          // a single label is no host
            let label = labelStart..<end
            let ascii = !label.contains { b[$0] >= 0x80 }
            let ok: Bool
            if needKnownTLD {
                ok = ascii && TopLevelDomains.isKnown(b, label)
            } else {
                ok = label.count >= 2 && (!ascii || label.contains { !UTF8Text.isASCIIDigit(b[$0]) })
            }
            if ok && b[end - 1] != 0x2D && b[labelStart] != 0x2D { return end }
            end = labelStart - 1
        }
    }

    /// Port, path, query and fragment after the host; trailing punctuation is not part of the URL.
    private static func rest(_ b: UTF8Text.Bytes, afterHost hostEnd: Int) -> Int {
        let n = b.count
        var i = hostEnd
        if i + 1 < n && b[i] == 0x3A && UTF8Text.isASCIIDigit(b[i + 1]) {
            i += 1
            while i < n && UTF8Text.isASCIIDigit(b[i]) { i += 1 }
        }
        guard i < n, b[i] == 0x2F || b[i] == 0x3F || b[i] == 0x23 else { return i }
        var depth = 0
        scan: while i < n {
            let c = b[i]
            switch c {
            case 0x28: depth += 1; i += 1            // (
            case 0x29:                              // )
                if depth == 0 { break scan }
                depth -= 1; i += 1
            case 0x00...0x20, 0x22, 0x3C, 0x3E, 0x60, 0x7B, 0x7D, 0x5E, 0x7F:  // space " < > ` { } ^
                break scan
            case 0x80...:
                // Accented Latin and Cyrillic letters may appear in paths; other scripts end the URL.
                let (s, len) = UTF8Text.scalar(b, at: i)
                guard s.value >= 0xC0 && s.value <= 0x52F && s.properties.isAlphabetic else { break scan }
                i += len
            default:
                i += 1
            }
        }
        // Trailing punctuation belongs to the sentence: "see example.com/x." and "(example.com/x)".
        while i > hostEnd {
            let c = b[i - 1]
            switch c {
            case 0x2E, 0x2C, 0x3B, 0x3A, 0x21, 0x3F, 0x27, 0x22, 0x2A, 0x28, 0x5B, 0x5D:
                i -= 1
            default:
                return i
            }
        }
        return i
    }
}
