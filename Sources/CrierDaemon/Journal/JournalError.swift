/// The journal could not be opened, read or written. Always names the database file.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// A shared store that cannot be reached now but may be soon (`PostgresError.isUnreachable`):
    /// a daemon starting waits for it rather than exit.
    public var unreachable: Bool

    public init(path: String, _ error: any Error) {
        self.path = path
        self.message = "\(error)"
        self.unreachable = (error as? PostgresError)?.isUnreachable ?? false
    }

    public var description: String { "journal \(path): \(message)" }
}
