/// Shortens a body at a word boundary and ends it with `…`, so that body plus tail fits. It works on
/// the parsed document, so no writer's markup, URL or link is ever cut in half: words are the units, a
/// link or bare URL is one unit. The tail (hashtags, link) is the caller's and is never touched.
enum Truncator {
    static let ellipsis = "…"

    /// The longest prefix of `document` for which `fits(prefix)` holds, or nil if not even one word does.
    static func truncate(_ document: MarkdownDocument, fits: (MarkdownDocument) -> Bool) -> MarkdownDocument? {
        let total = units(document)
        guard total > 0 else { return nil }
        // fits is monotonic in the number of units kept: binary search for the last k that fits.
        var lo = 0, hi = total - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if fits(prefix(document, units: mid)) { lo = mid } else { hi = mid - 1 }
        }
        guard lo >= 1 else { return nil }
        let result = prefix(document, units: lo)
        return fits(result) ? result : nil
    }

    /// A plain string (the webhook's Markdown) cut after a whole word, with `…`.
    static func truncate(_ text: String, fits: (String) -> Bool) -> String? {
        var boundaries: [String.Index] = []
        var previousWasSpace = false
        for i in text.indices {
            let isSpace = text[i] == " " || text[i] == "\n"
            if isSpace && !previousWasSpace { boundaries.append(i) }
            previousWasSpace = isSpace
        }
        var lo = -1, hi = boundaries.count - 1
        func candidate(_ k: Int) -> String { trimmedForEllipsis(text[..<boundaries[k]]) + ellipsis }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if fits(candidate(mid)) { lo = mid } else { hi = mid - 1 }
        }
        return lo >= 0 ? candidate(lo) : nil
    }

    /// Words in text runs (whitespace-separated), plus one per link and bare URL.
    static func units(_ document: MarkdownDocument) -> Int {
        var total = 0
        func count(_ runs: [MarkdownRun]) {
            runs.forEachSegment { segment in
                switch segment {
                case .link: total += 1
                case .run(let run):
                    switch run.tag {
                    case .lineBreak: break
                    case .url, .schemelessURL: total += 1
                    default: total += words(run.text)
                    }
                }
            }
        }
        for block in document.blocks {
            switch block {
            case .paragraph(let runs): count(runs)
            case .list(_, _, let items): items.forEach(count)
            }
        }
        return total
    }

    /// The first `units` units of `document`, then `…`.
    static func prefix(_ document: MarkdownDocument, units: Int) -> MarkdownDocument {
        var remaining = units
        var blocks: [MarkdownBlock] = []
        /// Keeps runs until `remaining` is used up; true when the cut happened inside.
        func take(_ runs: [MarkdownRun]) -> (runs: [MarkdownRun], cut: Bool) {
            var kept: [MarkdownRun] = []
            var cut = false
            runs.forEachSegment { segment in
                guard !cut else { return }
                if remaining == 0 { cut = true; return }
                switch segment {
                case .link(_, let runs):
                    kept += runs
                    remaining -= 1
                case .run(let run):
                    switch run.tag {
                    case .lineBreak: kept.append(run)
                    case .url, .schemelessURL: kept.append(run); remaining -= 1
                    default:
                        let n = words(run.text)
                        if n <= remaining {
                            kept.append(run)
                            remaining -= n
                        } else {
                            var partial = run
                            partial.text = firstWords(run.text, remaining)
                            kept.append(partial)
                            remaining = 0
                            cut = true
                        }
                    }
                }
            }
            if remaining == 0 { cut = true }
            return (kept, cut)
        }
        for block in document.blocks {
            guard remaining > 0 else { break }
            switch block {
            case .paragraph(let runs):
                blocks.append(.paragraph(take(runs).runs))
            case .list(let ordered, let start, let items):
                var keptItems: [[MarkdownRun]] = []
                for item in items where remaining > 0 {
                    keptItems.append(take(item).runs)
                }
                blocks.append(.list(ordered: ordered, start: start, items: keptItems))
            }
        }
        // End the last block with the ellipsis, after its last visible run.
        func finish(_ runs: inout [MarkdownRun]) {
            while let last = runs.last, last.tag == .lineBreak || last.text.allSatisfy(\.isWhitespace) {
                runs.removeLast()
            }
            if let last = runs.last, last.tag == .text, !last.style.contains(.code) {
                runs[runs.count - 1].text = trimmedForEllipsis(Substring(last.text)) + ellipsis
            } else {
                runs.append(MarkdownRun(.text, ellipsis))
            }
        }
        switch blocks.popLast() {
        case .paragraph(var runs)?:
            finish(&runs)
            blocks.append(.paragraph(runs))
        case .list(let ordered, let start, var items)?:
            if var last = items.popLast() {
                finish(&last)
                items.append(last)
            }
            blocks.append(.list(ordered: ordered, start: start, items: items))
        case nil:
            blocks.append(.paragraph([MarkdownRun(.text, ellipsis)]))
        }
        return MarkdownDocument(blocks: blocks)
    }

    static func words(_ text: String) -> Int {
        var n = 0
        var inWord = false
        for c in text.utf8 {
            let space = UTF8Text.isASCIISpace(c)
            if !space && !inWord { n += 1 }
            inWord = !space
        }
        return n
    }

    /// `text` up to the end of its `count`-th word.
    static func firstWords(_ text: String, _ count: Int) -> String {
        var n = 0
        var inWord = false
        var end = text.utf8.startIndex
        for i in text.utf8.indices {
            let space = UTF8Text.isASCIISpace(text.utf8[i])
            if space && inWord {
                n += 1
                if n == count { end = i; return String(text[..<end]) }
            }
            inWord = !space
        }
        return text
    }

    /// No dangling `,`, `;`, `:`, `-` or spaces before `…`.
    static func trimmedForEllipsis(_ text: Substring) -> String {
        var t = text
        while let last = t.last, last == " " || last == "," || last == ";" || last == ":" || last == "-"
                || last == "–" || last == "—" || last == "." || last == "\n" {
            t = t.dropLast()
        }
        return String(t)
    }
}
