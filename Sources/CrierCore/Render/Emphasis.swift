/// Wrapping text in Markdown-like emphasis markers, which must touch non-space characters: spaces at
/// either end move outside (`**bold **` would not render in Discord or Slack).
enum Emphasis {
    static func wrap(_ text: String, open: String, close: String) -> String {
        guard !open.isEmpty else { return text }
        let u = text.utf8
        var start = u.startIndex, end = u.endIndex
        while start < end && (u[start] == 0x20 || u[start] == 0x09) { start = u.index(after: start) }
        guard start < end else { return text }
        while u[u.index(before: end)] == 0x20 || u[u.index(before: end)] == 0x09 { end = u.index(before: end) }
        return String(text[..<start]) + open + String(text[start..<end]) + close + String(text[end...])
    }
}
