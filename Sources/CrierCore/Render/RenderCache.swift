/// What the renders of one post share: a body used by several channels is trimmed, parsed, written in
/// each text format, and counted only once. Lives for one `PostRenderer.render` call, never shared
/// between threads; it changes no result, only how often work is done.
///
/// Entries are kept in small arrays compared byte for byte: a post has a handful of distinct bodies,
/// and hashing a `String` (which normalises it to NFC first) costs more than the work it would save.
final class RenderCache {
    private var trimmed: [(String, String)] = []
    private var documents: [(String, MarkdownDocument)] = []
    private var hashtags: [(String, Set<String>)] = []
    private var bodies: [(String, TextFormat, WrittenText)] = []
    /// Plain grapheme counts (the unit of most platforms) by text.
    private var graphemes: [(String, Int)] = []

    func source(_ raw: String) -> String {
        if let hit = trimmed.first(where: { UTF8Text.sameBytes($0.0, raw) }) { return hit.1 }
        let value = raw.crierTrimmingWhitespace()
        trimmed.append((raw, value))
        return value
    }

    func document(_ source: String) -> MarkdownDocument {
        if let hit = documents.first(where: { UTF8Text.sameBytes($0.0, source) }) { return hit.1 }
        let value = MarkdownSubsetParser.parse(source)
        documents.append((source, value))
        return value
    }

    func bodyHashtags(_ source: String) -> Set<String> {
        if let hit = hashtags.first(where: { UTF8Text.sameBytes($0.0, source) }) { return hit.1 }
        let value = PostRenderer.bodyHashtags(source)
        hashtags.append((source, value))
        return value
    }

    func body(_ source: String, format: TextFormat) -> WrittenText {
        if let hit = bodies.first(where: { $0.1 == format && UTF8Text.sameBytes($0.0, source) }) { return hit.2 }
        let value = FormatWriter.body(document(source), format: format)
        bodies.append((source, format, value))
        return value
    }

    func length(of text: String, rules: PlatformRules) -> Int {
        guard rules.unit == .graphemes && rules.urlLength == nil && !rules.remoteMentionsAsLocal else {
            return TextLength.count(text, rules: rules)
        }
        if let hit = graphemes.first(where: { UTF8Text.sameBytes($0.0, text) }) { return hit.1 }
        let value = TextLength.count(text, rules: rules)
        if graphemes.count < 16 { graphemes.append((text, value)) }
        return value
    }
}
