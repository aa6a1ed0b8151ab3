import Foundation

/// Takes secret values out of text that is about to be logged or kept (a URL with a token in its
/// path, a libcurl error that quotes the URL, a request body): each value, raw or percent-encoded,
/// becomes `<redacted>`. Values shorter than 4 characters are left alone (they would redact
/// ordinary words).
public struct SecretRedactor: Sendable {
    private let needles: [String]

    public init(_ secrets: some Sequence<Secret>) {
        var needles: Set<String> = []
        for secret in secrets where secret.value.count >= 4 && !secret.isPlaceholder {
            needles.insert(secret.value)
            for allowed in Self.encodings {
                if let encoded = secret.value.addingPercentEncoding(withAllowedCharacters: allowed) { needles.insert(encoded) }
            }
        }
        // Longest first, so a secret containing another is replaced whole.
        self.needles = needles.sorted { $0.count > $1.count }
    }

    /// The percent-encodings a secret may appear in: RFC 3986 unreserved, all but alphanumerics, and
    /// Foundation's URL path and query sets.
    private static let encodings: [CharacterSet] = [
        CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~")), .alphanumerics, .urlPathAllowed, .urlQueryAllowed,
    ]

    public var isEmpty: Bool { needles.isEmpty }

    public func redact(_ text: String) -> String {
        var text = text
        for needle in needles where text.contains(needle) {
            text = text.replacingOccurrences(of: needle, with: "<redacted>")
        }
        return text
    }
}
