import Foundation

/// A value sent as a statement parameter, in PostgreSQL's text form.
public protocol PostgresEncodable: Sendable {
    var postgresText: String { get }
}

extension String: PostgresEncodable {
    public var postgresText: String { self }
}

extension Int: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String { String(self) }
}

extension Double: PostgresEncodable {
    /// Shortest round-tripping form: an epoch time keeps its microseconds.
    public var postgresText: String { "\(self)" }
}

extension Bool: PostgresEncodable {
    public var postgresText: String { self ? "true" : "false" }
}

extension Date: PostgresEncodable {
    /// Stored as epoch seconds (`double precision`), like the SQLite journal's REAL columns.
    public var postgresText: String { timeIntervalSince1970.postgresText }
}

extension Data: PostgresEncodable {
    /// A `bytea` literal (`\x…`). `PostgresConnection` sends `Data` parameters as binary instead.
    public var postgresText: String { "\\x" + hexadecimal }
}
