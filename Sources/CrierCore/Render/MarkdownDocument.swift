/// The small Markdown subset a post body is written in, parsed (`MarkdownSubsetParser`): paragraphs
/// with line breaks, lists, and flat inline runs — text with a style, link text, bare URLs.
struct MarkdownDocument: Equatable, Sendable {
    var blocks: [MarkdownBlock]

    var isEmpty: Bool { blocks.isEmpty }
}

enum MarkdownBlock: Equatable, Sendable {
    case paragraph([MarkdownRun])
    /// `- a`, `* a`, `+ a` (unordered) or `1. a` / `1) a` (ordered, numbered from `start`).
    case list(ordered: Bool, start: Int, items: [[MarkdownRun]])
}

/// Inline emphasis; `code` text is shown as written.
struct MarkdownStyle: OptionSet, Equatable, Hashable, Sendable {
    let rawValue: UInt8
    static let bold = MarkdownStyle(rawValue: 1)
    static let italic = MarkdownStyle(rawValue: 2)
    static let code = MarkdownStyle(rawValue: 4)
}

/// A piece of inline content. Consecutive runs with the same link `destination` form one link.
struct MarkdownRun: Equatable, Sendable {
    /// What a run is, as a payload-free tag (cheap to switch on in the writers' hot loops).
    enum Tag: UInt8, Sendable {
        case text, lineBreak, link, url, schemelessURL
    }

    /// How tests and the parser describe a run.
    enum Kind: Equatable, Sendable {
        case text
        case lineBreak
        /// Text of `[text](destination)`.
        case link(String)
        /// A bare URL as written; `hasScheme` false for `example.com/x`, which writers leave as text.
        case url(hasScheme: Bool)
    }

    var tag: Tag
    var text: String
    var style: MarkdownStyle
    /// The link destination of a `.link` run.
    var destination: String?

    init(_ kind: Kind, _ text: String, style: MarkdownStyle = []) {
        switch kind {
        case .text: tag = .text
        case .lineBreak: tag = .lineBreak
        case .link(let d): tag = .link; destination = d
        case .url(let hasScheme): tag = hasScheme ? .url : .schemelessURL
        }
        self.text = text
        self.style = style
    }

    static let lineBreak = MarkdownRun(.lineBreak, "\n")

    var linkDestination: String? { tag == .link ? destination : nil }
    var isURL: Bool { tag == .url || tag == .schemelessURL }
}

/// Inline content as writers walk it: single runs, or the runs of one link grouped together.
enum InlineSegment {
    case run(MarkdownRun)
    case link(destination: String, runs: ArraySlice<MarkdownRun>)
}

extension Array where Element == MarkdownRun {
    func forEachSegment(_ body: (InlineSegment) -> Void) {
        var i = startIndex
        while i < endIndex {
            if let destination = self[i].linkDestination {
                var j = i + 1
                while j < endIndex && self[j].linkDestination == destination { j += 1 }
                body(.link(destination: destination, runs: self[i..<j]))
                i = j
            } else {
                body(.run(self[i]))
                i += 1
            }
        }
    }
}

extension MarkdownDocument {
    /// Writes blocks with `separator` between them; lists item by item with `bullet(ordered, number)`.
    func write(separator: String, itemSeparator: String = "\n", bullet: (Bool, Int) -> String,
               inline: ([MarkdownRun]) -> String) -> String {
        var out = ""
        for (index, block) in blocks.enumerated() {
            if index > 0 { out += separator }
            switch block {
            case .paragraph(let runs):
                out += inline(runs)
            case .list(let ordered, let start, let items):
                for (n, item) in items.enumerated() {
                    if n > 0 { out += itemSeparator }
                    out += bullet(ordered, start + n)
                    out += inline(item)
                }
            }
        }
        return out
    }
}
