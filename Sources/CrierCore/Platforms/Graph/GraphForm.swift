import Foundation

/// `application/x-www-form-urlencoded` bodies and query strings for Graph API calls, in the order
/// given (so a repeated step sends identical bytes).
public struct GraphForm: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public mutating func add(_ name: String, _ value: String?) {
        guard let value else { return }
        fields.append((name: name, value: value))
    }

    public var encoded: String {
        fields.map { Self.escape($0.name) + "=" + Self.escape($0.value) }.joined(separator: "&")
    }

    public var body: Data { Data(encoded.utf8) }

    /// Percent-encodes everything but RFC 3986's unreserved characters (spaces as `%20`).
    public static func escape(_ text: String) -> String {
        PercentEncoding.encode(text)
    }

    /// Decodes a form body or query string (`+` as space), last value of a repeated name winning.
    public static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1
                ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(parts[1])) : ""
            result[name] = value
        }
        return result
    }

    public static func == (lhs: GraphForm, rhs: GraphForm) -> Bool {
        lhs.encoded == rhs.encoded
    }
}
