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

    /// The server cannot be reached now but may be soon (refused, timed out, a host name that does
    /// not resolve yet, a server starting up or shutting down) — as opposed to a connection it
    /// refuses for good (a wrong password, a database or role that does not exist, pg_hba.conf).
    public var isUnreachable: Bool {
        let permanent = ["authentication failed", "does not exist", "no pg_hba.conf entry", "password", "permission denied",
                         "invalid", "unsupported"]
        let transient = ["connection refused", "timeout expired", "timed out", "could not translate host name", "no route to host",
                         "network is unreachable", "the database system is starting up", "the database system is shutting down",
                         "the database system is in recovery mode", "server closed the connection", "no such file or directory",
                         "could not connect to server", "too many connections"]
        if let sqlState {
            // The server said why: shutting down or starting (57P…), a broken connection (08…), full (53300).
            return sqlState.hasPrefix("57P") || sqlState == "53300" || (sqlState.hasPrefix("08") && sqlState != "08P01")
        }
        // A connection that never came has no SQLSTATE: libpq's message says why.
        let text = message.lowercased()
        if permanent.contains(where: text.contains) { return false }
        return transient.contains(where: text.contains)
    }

    public var description: String {
        let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return sqlState.map { "\(text) (SQLSTATE \($0))" } ?? text
    }
}
