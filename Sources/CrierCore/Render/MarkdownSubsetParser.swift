/// Parses a post body's Markdown subset: paragraphs (a single newline is kept as a line break, as
/// people expect in social posts), `- `/`* `/`+ `/`1. ` lists, `[text](url)` links, bare URLs,
/// `*em*`/`_em_`, `**strong**`, `***both***`, `` `code` `` and backslash escapes. Everything else is
/// text. Bare URLs are atomic: `_` or `*` inside them is never emphasis.
enum MarkdownSubsetParser {
    static func parse(_ markdown: String) -> MarkdownDocument {
        var text = UTF8Text.containsByte(markdown, 0x0D) ? markdown.replacingCRLF() : markdown
        return text.withUTF8 { b in
            var parser = InlineParser(b: b, urls: URLDetector.ranges(in: b))
            return MarkdownDocument(blocks: blocks(b, &parser))
        }
    }

    private enum Open {
        case none
        case paragraph(Range<Int>)
        case list(ordered: Bool, start: Int, items: [Range<Int>])
    }

    private static func blocks(_ b: UTF8Text.Bytes, _ parser: inout InlineParser) -> [MarkdownBlock] {
        var result: [MarkdownBlock] = []
        var open = Open.none
        func close(_ parser: inout InlineParser) {
            switch open {
            case .none: break
            case .paragraph(let r): result.append(.paragraph(parser.runs(r)))
            case .list(let ordered, let start, let items):
                result.append(.list(ordered: ordered, start: start, items: items.map { parser.runs($0) }))
            }
            open = .none
        }
        let n = b.count
        var lineStart = 0
        while lineStart <= n {
            var lineEnd = lineStart
            while lineEnd < n && b[lineEnd] != 0x0A { lineEnd += 1 }
            var contentStart = lineStart
            while contentStart < lineEnd && (b[contentStart] == 0x20 || b[contentStart] == 0x09) { contentStart += 1 }
            var contentEnd = lineEnd
            while contentEnd > contentStart && (b[contentEnd - 1] == 0x20 || b[contentEnd - 1] == 0x09) { contentEnd -= 1 }
            let indent = contentStart - lineStart
            if contentStart == contentEnd {
                close(&parser)
            } else if indent <= 3, let marker = listMarker(b, contentStart, contentEnd) {
                if case .list(let ordered, let start, var items) = open, ordered == marker.ordered {
                    items.append(marker.content..<contentEnd)
                    open = .list(ordered: ordered, start: start, items: items)
                } else {
                    close(&parser)
                    open = .list(ordered: marker.ordered, start: marker.number, items: [marker.content..<contentEnd])
                }
            } else if case .list(let ordered, let start, var items) = open, indent >= 2 {
                items[items.count - 1] = items[items.count - 1].lowerBound..<contentEnd
                open = .list(ordered: ordered, start: start, items: items)
            } else if case .paragraph(let r) = open {
                open = .paragraph(r.lowerBound..<contentEnd)
            } else {
                close(&parser)
                open = .paragraph(contentStart..<contentEnd)
            }
            lineStart = lineEnd + 1
        }
        close(&parser)
        return result
    }

    /// `- `, `* `, `+ `, or up to three digits and `.` or `)`, then a space.
    private static func listMarker(_ b: UTF8Text.Bytes, _ start: Int, _ end: Int)
        -> (ordered: Bool, number: Int, content: Int)? {
        let c = b[start]
        if c == 0x2D || c == 0x2A || c == 0x2B {
            guard start + 1 < end, b[start + 1] == 0x20 || b[start + 1] == 0x09 else { return nil }
            return (false, 1, skipSpaces(b, start + 1, end))
        }
        var j = start
        var number = 0
        while j < end && j - start < 3 && UTF8Text.isASCIIDigit(b[j]) {
            number = number * 10 + Int(b[j] - 0x30)
            j += 1
        }
        guard j > start, j + 1 < end, b[j] == 0x2E || b[j] == 0x29, b[j + 1] == 0x20 || b[j + 1] == 0x09 else {
            return nil
        }
        return (true, number, skipSpaces(b, j + 1, end))
    }

    private static func skipSpaces(_ b: UTF8Text.Bytes, _ i: Int, _ end: Int) -> Int {
        var i = i
        while i < end && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        return i
    }
}

/// The inline half of the parser: turns a byte range into `MarkdownRun`s.
private struct InlineParser {
    let b: UTF8Text.Bytes
    /// Bare URLs in the whole body (byte ranges, ascending).
    let urls: [Range<Int>]
    private var buffer: [UInt8] = []
    /// Index of the first URL not yet passed: parsing moves forward only.
    private var urlCursor = 0

    init(b: UTF8Text.Bytes, urls: [Range<Int>]) {
        self.b = b
        self.urls = urls
        buffer.reserveCapacity(256)
    }

    mutating func runs(_ range: Range<Int>) -> [MarkdownRun] {
        var out: [MarkdownRun] = []
        parse(range, style: [], link: nil, into: &out)
        return out
    }

    private func urlEnd(at i: Int) -> Int? {
        var lo = 0, hi = urls.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if urls[mid].lowerBound < i { lo = mid + 1 } else { hi = mid }
        }
        return lo < urls.count && urls[lo].lowerBound == i ? urls[lo].upperBound : nil
    }

    private mutating func flush(_ style: MarkdownStyle, _ link: String?, into out: inout [MarkdownRun]) {
        guard !buffer.isEmpty else { return }
        let text = String(decoding: buffer, as: UTF8.self)
        out.append(MarkdownRun(link.map { .link($0) } ?? .text, text, style: style))
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func parse(_ range: Range<Int>, style: MarkdownStyle, link: String?, into out: inout [MarkdownRun]) {
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            while urlCursor < urls.count && urls[urlCursor].lowerBound < i { urlCursor += 1 }
            let nextURL = urlCursor < urls.count ? urls[urlCursor].lowerBound : Int.max
            // Copy ordinary text in one go, up to the next character with a meaning or the next URL.
            if i != nextURL && !isSpecial(b[i]) {
                var j = i + 1
                let stop = min(end, nextURL)
                while j < stop && !isSpecial(b[j]) { j += 1 }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                i = j
                continue
            }
            let c = b[i]
            switch c {
            case 0x5C where i + 1 < end && isASCIIPunctuation(b[i + 1]):          // \*
                buffer.append(b[i + 1])
                i += 2
                continue
            case 0x0A:
                while let last = buffer.last, last == 0x20 || last == 0x09 { buffer.removeLast() }
                flush(style, link, into: &out)
                out.append(.lineBreak)
                i += 1
                while i < end && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
                continue
            case 0x60:                                                             // `code`
                if let (content, after) = codeSpan(at: i, end: end) {
                    flush(style, link, into: &out)
                    var text = UTF8Text.string(b, content)
                    if text.count >= 2 && text.hasPrefix(" ") && text.hasSuffix(" ") {
                        text = String(text.dropFirst().dropLast())
                    }
                    out.append(MarkdownRun(link.map { .link($0) } ?? .text, text, style: style.union(.code)))
                    i = after
                    continue
                }
            case 0x5B where link == nil:                                           // [text](url)
                if let (text, destination, after) = inlineLink(at: i, end: end) {
                    flush(style, link, into: &out)
                    parse(text, style: style, link: destination, into: &out)
                    i = after
                    continue
                }
            case 0x3C where link == nil:                                           // <https://…>
                if let urlEnd = urlEnd(at: i + 1), urlEnd < end, b[urlEnd] == 0x3E {
                    flush(style, link, into: &out)
                    out.append(MarkdownRun(.url(hasScheme: hasScheme(i + 1)), UTF8Text.string(b, i + 1..<urlEnd),
                                           style: style))
                    i = urlEnd + 1
                    continue
                }
            case 0x2A, 0x5F:                                                       // * _
                if let (inner, innerStyle, after) = emphasis(at: i, range: range) {
                    flush(style, link, into: &out)
                    parse(inner, style: style.union(innerStyle), link: link, into: &out)
                    i = after
                    continue
                }
                var j = i
                while j < end && b[j] == c { buffer.append(c); j += 1 }
                i = j
                continue
            default:
                break
            }
            if i == nextURL, urls[urlCursor].upperBound <= end {
                let urlEnd = urls[urlCursor].upperBound
                if link == nil {
                    flush(style, link, into: &out)
                    out.append(MarkdownRun(.url(hasScheme: hasScheme(i)), UTF8Text.string(b, i..<urlEnd), style: style))
                } else {
                    buffer.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<urlEnd]))
                }
                i = urlEnd
                continue
            }
            buffer.append(c)
            i += 1
        }
        flush(style, link, into: &out)
    }

    @inline(__always) private func isSpecial(_ c: UInt8) -> Bool {
        switch c {
        case 0x5C, 0x0A, 0x60, 0x5B, 0x3C, 0x2A, 0x5F: true
        default: false
        }
    }

    private func hasScheme(_ i: Int) -> Bool { UTF8Text.lower(b[i]) == 0x68 && b[i..<min(i + 8, b.count)].contains(0x3A) }

    private func isASCIIPunctuation(_ c: UInt8) -> Bool {
        (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E)
    }

    /// A run of n backticks, text, and the next run of exactly n backticks.
    private func codeSpan(at i: Int, end: Int) -> (Range<Int>, Int)? {
        var k = i
        while k < end && b[k] == 0x60 { k += 1 }
        let ticks = k - i
        var j = k
        while j < end {
            if b[j] == 0x60 {
                var m = j
                while m < end && b[m] == 0x60 { m += 1 }
                if m - j == ticks { return (k..<j, m) }
                j = m
            } else {
                j += 1
            }
        }
        return nil
    }

    /// `[text](destination "title")` with nested brackets and balanced parentheses in the destination.
    private func inlineLink(at i: Int, end: Int) -> (Range<Int>, String, Int)? {
        var depth = 0
        var j = i
        var close = -1
        while j < end {
            let c = b[j]
            if c == 0x5C { j += 2; continue }
            if c == 0x5B { depth += 1 }
            if c == 0x5D { depth -= 1; if depth == 0 { close = j; break } }
            if c == 0x0A && j + 1 < end && b[j + 1] == 0x0A { return nil }
            j += 1
        }
        guard close > i, close + 1 < end, b[close + 1] == 0x28 else { return nil }
        var k = close + 2
        while k < end && b[k] == 0x20 { k += 1 }
        let destination: Range<Int>
        if k < end && b[k] == 0x3C {
            let start = k + 1
            while k < end && b[k] != 0x3E && b[k] != 0x0A { k += 1 }
            guard k < end && b[k] == 0x3E else { return nil }
            destination = start..<k
            k += 1
        } else {
            let start = k
            var parens = 0
            while k < end {
                let c = b[k]
                if c <= 0x20 { break }
                if c == 0x28 { parens += 1 }
                if c == 0x29 { if parens == 0 { break }; parens -= 1 }
                k += 1
            }
            destination = start..<k
        }
        while k < end && b[k] == 0x20 { k += 1 }
        if k < end && (b[k] == 0x22 || b[k] == 0x27) {                              // "title"
            let quote = b[k]
            k += 1
            while k < end && b[k] != quote { k += 1 }
            k += 1
            while k < end && b[k] == 0x20 { k += 1 }
        }
        guard k < end, b[k] == 0x29, !destination.isEmpty else { return nil }
        return (i + 1..<close, UTF8Text.string(b, destination), k + 1)
    }

    /// `*x*`, `_x_`, `**x**`, `***x***`: an opener not followed by whitespace, the first closer of the
    /// same character not preceded by whitespace; `_` only at word boundaries (snake_case stays text).
    private func emphasis(at i: Int, range: Range<Int>) -> (Range<Int>, MarkdownStyle, Int)? {
        let d = b[i]
        let end = range.upperBound
        var k = i
        while k < end && b[k] == d { k += 1 }
        let count = k - i
        guard count <= 3, k < end, !UTF8Text.isASCIISpace(b[k]) else { return nil }
        if d == 0x5F, let p = UTF8Text.scalar(b, before: i), UTF8Text.isWordScalar(p) { return nil }
        var j = k
        while j < end {
            let c = b[j]
            if c == 0x5C { j += 2; continue }
            if c == 0x60, let (_, after) = codeSpan(at: j, end: end) { j = after; continue }
            if UTF8Text.isASCIIAlnum(c), (j == 0 || !UTF8Text.isASCIIAlnum(b[j - 1])), let u = urlEnd(at: j) {
                j = u
                continue
            }
            if c == 0x0A && j + 1 < end && b[j + 1] == 0x0A { return nil }
            guard c == d else { j += 1; continue }
            var m = j
            while m < end && b[m] == d { m += 1 }
            let run = m - j
            let matches = run == count || run == 3
            var closes = matches && !UTF8Text.isASCIISpace(b[j - 1]) && j > k
            if closes && d == 0x5F && m < end {
                let (s, _) = UTF8Text.scalar(b, at: m)
                closes = !UTF8Text.isWordScalar(s)
            }
            if closes {
                let closeStart = m - count
                guard closeStart > k else { j = m; continue }
                let style: MarkdownStyle = count == 1 ? .italic : count == 2 ? .bold : [.bold, .italic]
                return (k..<closeStart, style, m)
            }
            j = m
        }
        return nil
    }
}

private extension String {
    func replacingCRLF() -> String {
        var out = String.UnicodeScalarView()
        for s in unicodeScalars where s != "\r" { out.append(s) }
        return String(out)
    }
}
