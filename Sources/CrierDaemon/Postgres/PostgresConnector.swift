import Foundation

/// How to reach the shared database: the URL (without password), the password, and the name
/// connections carry (`application_name`, shown in `pg_stat_activity`).
public struct PostgresConnector: Sendable, Equatable {
    public var url: String
    public var password: String?
    public var applicationName: String

    public init(url: String, password: String?, applicationName: String = "crier") {
        self.url = url
        self.password = password
        self.applicationName = applicationName
    }

    /// The URL for messages (a password written into it anyway is masked).
    public var displayURL: String { PostgresConnection.redacted(url) }

    public func connect() throws(PostgresError) -> PostgresConnection {
        try PostgresConnection(url: url, password: password, applicationName: String(applicationName.prefix(63)))
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.url == rhs.url && lhs.password == rhs.password && lhs.applicationName == rhs.applicationName
    }
}
