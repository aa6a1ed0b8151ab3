/// Splits a plain-text post into thread parts that each fit the limit: at paragraphs first, then
/// lines, sentences, words — and only as a last resort inside a word, never inside a URL, mention or
/// hashtag (none of which contain whitespace). The tail (hashtags and link) goes whole onto the last
/// part, or into a part of its own. With numbering, ` i/n` ends every part and counts toward the limit.
enum ThreadSplitter {
    struct Failure: Error, Equatable {
        var message: String
    }

    static func split(body: String, tail: String, limit: Int?, rules: PlatformRules, number: Bool) throws(Failure) -> [String] {
        var widest = 9
        while true {
            let budget = Budget(limit: limit, rules: rules, suffix: number ? " \(widest)/\(widest)" : "")
            var parts = body.isEmpty ? [] : try pack(Substring(body), level: 0, budget: budget).map(\.text)
            if !tail.isEmpty {
                if let last = parts.last, budget.fits(last + "\n\n" + tail) {
                    parts[parts.count - 1] = last + "\n\n" + tail
                } else if budget.fits(tail) {
                    parts.append(tail)
                } else {
                    throw Failure(message: "the hashtags and link alone do not fit in one part")
                }
            }
            guard number && parts.count > 1 else { return parts }
            if parts.count > widest {
                widest = widest * 10 + 9
                continue
            }
            let n = parts.count
            return parts.enumerated().map { "\($1) \($0 + 1)/\(n)" }
        }
    }

    /// A length in the platform's unit and in UTF-8 bytes. Lengths add up across whitespace: no URL,
    /// emoji sequence or mention spans a space (a combining mark after one makes the sum an
    /// overestimate, which is safe) — so each piece is measured once, not every candidate part.
    struct Measure {
        var count: Int
        var bytes: Int
        static func + (a: Measure, b: Measure) -> Measure { Measure(count: a.count + b.count, bytes: a.bytes + b.bytes) }
    }

    struct Budget {
        let limit: Int
        let maxBytes: Int
        let rules: PlatformRules
        let reserve: Measure

        init(limit: Int?, rules: PlatformRules, suffix: String) {
            self.limit = limit ?? Int.max
            self.maxBytes = rules.maxBytes ?? Int.max
            self.rules = rules
            self.reserve = Measure(count: TextLength.count(suffix, rules: rules), bytes: suffix.utf8.count)
        }

        func measure(_ s: some StringProtocol) -> Measure {
            let string = String(s)
            return Measure(count: TextLength.count(string, rules: rules), bytes: string.utf8.count)
        }

        func fits(_ m: Measure) -> Bool { m.count + reserve.count <= limit && m.bytes + reserve.bytes <= maxBytes }
        func fits(_ s: String) -> Bool { fits(measure(s)) }
    }

    private static let separators = ["\n\n", "\n", " ", " "]
    private static let separatorMeasures = [Measure(count: 2, bytes: 2), Measure(count: 1, bytes: 1),
                                            Measure(count: 1, bytes: 1), Measure(count: 1, bytes: 1)]

    private static func pack(_ text: Substring, level: Int, budget: Budget) throws(Failure) -> [(text: String, measure: Measure)] {
        let whole = budget.measure(text)
        if budget.fits(whole) { return [(String(text), whole)] }
        guard level < separators.count else { return try cut(text, budget: budget) }
        let segments = segment(text, level: level)
        guard segments.count > 1 else { return try pack(text, level: level + 1, budget: budget) }
        let separator = separators[level]
        let separatorMeasure = separatorMeasures[level]
        var parts: [(text: String, measure: Measure)] = []
        var current: (text: String, measure: Measure)?
        for segment in segments {
            let m = budget.measure(segment)
            if let c = current {
                let joined = c.measure + separatorMeasure + m
                if budget.fits(joined) {
                    current = (c.text + separator + segment, joined)
                    continue
                }
                parts.append(c)
                current = nil
            }
            if budget.fits(m) {
                current = (String(segment), m)
            } else {
                let sub = try pack(segment, level: level + 1, budget: budget)
                parts += sub.dropLast()
                current = sub.last
            }
        }
        if let current { parts.append(current) }
        return parts
    }

    /// Level 0 paragraphs, 1 lines, 2 sentences, 3 words; empty pieces dropped, spaces trimmed.
    /// Scans UTF-8: every boundary is an ASCII space or newline, so slicing there is always valid.
    static func segment(_ text: Substring, level: Int) -> [Substring] {
        var result: [Substring] = []
        let u = text.utf8
        func add(_ from: String.Index, _ to: String.Index) {
            var start = from, end = to
            while start < end && u[start] == 0x20 { start = u.index(after: start) }
            while end > start && u[u.index(before: end)] == 0x20 { end = u.index(before: end) }
            if start < end { result.append(text[start..<end]) }
        }
        var start = u.startIndex
        var i = u.startIndex
        var previous: UInt8 = 0x20
        while i < u.endIndex {
            let c = u[i]
            let next = u.index(after: i)
            switch level {
            case 0:
                if c == 0x0A && previous == 0x0A {
                    add(start, u.index(before: i))
                    start = next
                }
            case 1:
                if c == 0x0A { add(start, i); start = next }
            case 2:
                // After `.`, `!`, `?` or `…` (E2 80 A6) and a space.
                if c == 0x20 && (previous == 0x2E || previous == 0x21 || previous == 0x3F || previous == 0xA6) {
                    add(start, i)
                    start = next
                }
            default:
                if c == 0x20 || c == 0x0A { add(start, i); start = next }
            }
            previous = (level == 0 && c == 0x0A && previous == 0x0A) ? 0 : c
            i = next
        }
        add(start, u.endIndex)
        return result
    }

    /// One word longer than a whole part: cut between characters, unless it is (or holds) a URL,
    /// mention or hashtag, which must stay whole.
    private static func cut(_ word: Substring, budget: Budget) throws(Failure) -> [(text: String, measure: Measure)] {
        let s = String(word)
        if !URLDetector.ranges(in: s).isEmpty || !Mention.matches(in: s).isEmpty || !Hashtag.matches(in: s).isEmpty {
            throw Failure(message: "\"\(s.prefix(40))…\" is a URL, mention or hashtag longer than one part")
        }
        let characters = Array(s)
        var parts: [(text: String, measure: Measure)] = []
        var start = 0
        while start < characters.count {
            var lo = 1, hi = characters.count - start
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if budget.fits(String(characters[start..<start + mid])) { lo = mid } else { hi = mid - 1 }
            }
            let piece = String(characters[start..<start + lo])
            let m = budget.measure(piece)
            guard budget.fits(m) else { throw Failure(message: "the limit is too small for a single character") }
            parts.append((piece, m))
            start += lo
        }
        return parts
    }
}
