/// A resolved secret value. Its description is redacted so it cannot leak through string
/// interpolation into logs, receipts or error messages; read `.value` only where it goes on the wire.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
