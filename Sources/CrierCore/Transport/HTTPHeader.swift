/// One HTTP header line. Kept as an ordered list (not a dictionary) because order and repeats matter
/// on the wire, and names are compared case-insensitively.
public struct HTTPHeader: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The first value of the header `name`, compared case-insensitively.
    public func value(for name: String) -> String? {
        // Asked for several headers of every answer, which often has none (and in a preview never).
        guard !isEmpty else { return nil }
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
