import Foundation

/// What libpq or the server said: the message, and the SQLSTATE code when the server sent one
/// (`40001` serialization failure, `57P01` shutdown, `08…` connection problems).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var sqlState: String?

    public init(_ message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }

    /// The connection is gone (or never came): reconnecting may help, the statement was not the problem.
    public var isConnectionProblem: Bool {
        sqlState == nil || sqlState?.hasPrefix("08") == true || sqlState?.hasPrefix("57P") == true
    }

    public var description: String {
        let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return sqlState.map { "\(text) (SQLSTATE \($0))" } ?? text
    }
}
