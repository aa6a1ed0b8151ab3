extension StringProtocol {
    /// The text without leading and trailing white space and line breaks: the Unicode `White_Space`
    /// scalars, the same set as Foundation's `.whitespacesAndNewlines`. Foundation's
    /// `trimmingCharacters(in:)` was a tenth of the time of reading a post; this walks the scalars
    /// from both ends and copies only what is kept.
    func trimmingWhitespaceAndNewlines() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
