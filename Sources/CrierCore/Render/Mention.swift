/// Mentions in text: `@user` (X, Instagram), `@user@domain` (a remote Mastodon account) and
/// `@handle.domain` (a Bluesky handle). Ranges are UTF-8 bytes.
enum Mention {
    struct Match: Equatable {
        /// `@user` or `@user@domain` or `@handle.domain`, all of it.
        var range: Range<Int>
        /// The end of `@user` — for a remote mention, before its `@domain`.
        var localEnd: Int
        var isRemote: Bool { localEnd < range.upperBound }
    }

    static func matches(in text: String) -> [Match] {
        UTF8Text.withBytes(text) { matches(in: $0) }
    }

    static func matches(in b: UTF8Text.Bytes) -> [Match] {
        var result: [Match] = []
        let n = b.count
        var i = 0
        while i < n {
            guard b[i] == 0x40 else { i += 1; continue }
            if let p = UTF8Text.scalar(b, before: i) {
                // Not an e-mail address (`me@example.com`), not inside a URL (`/@user`) or `a=@b`.
                if UTF8Text.isWordScalar(p) { i += 1; continue }
                switch p {
                case "@", "/", "=", ".", "!", "#", "$", "%", "&", "*", "+", "-": i += 1; continue
                default: break
                }
            }
            let localEnd = name(b, from: i + 1)
            guard localEnd > i + 1 else { i += 1; continue }
            var end = localEnd
            if end + 1 < n && b[end] == 0x40 {
                let domainEnd = name(b, from: end + 1)
                if domainEnd > end + 1 && (end + 1..<domainEnd).contains(where: { b[$0] == 0x2E }) {
                    end = domainEnd
                }
            }
            result.append(Match(range: i..<end, localEnd: localEnd))
            i = end
        }
        return result
    }

    /// `[A-Za-z0-9_.-]+` from `start`, not ending in `.` or `-`.
    private static func name(_ b: UTF8Text.Bytes, from start: Int) -> Int {
        var j = start
        while j < b.count, UTF8Text.isASCIIAlnum(b[j]) || b[j] == 0x5F || b[j] == 0x2E || b[j] == 0x2D { j += 1 }
        while j > start, b[j - 1] == 0x2E || b[j - 1] == 0x2D { j -= 1 }
        return j
    }
}
