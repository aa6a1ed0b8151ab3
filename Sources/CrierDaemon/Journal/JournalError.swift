/// The journal could not be opened, read or written. Always names the database file.
public struct JournalError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, _ error: any Error) {
        self.path = path
        self.message = "\(error)"
    }

    public var description: String { "journal \(path): \(message)" }
}
