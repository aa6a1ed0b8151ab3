/// A resolved secret value. Its description is redacted so it cannot leak through string
/// interpolation into logs, receipts or error messages; read `.value` only where it goes on the wire.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// What the preview and `crier check` without secrets give adapters instead of a value: requests
    /// are built as they would be, with `<redacted>` where the secret goes.
    public static let placeholder = Secret("<redacted>")

    public var isPlaceholder: Bool { value == Self.placeholder.value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
