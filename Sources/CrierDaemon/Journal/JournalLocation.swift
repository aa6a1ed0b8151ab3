import CrierCore
import Foundation

/// Where a queue's journal lives: SQLite in the queue's `.crier/` (the default), or a PostgreSQL
/// database shared by several daemons (`store: postgres`), with the password already resolved.
public struct JournalLocation: Sendable, Equatable {
    public var settings: StoreSettings
    public var password: String?
    /// This daemon's node name: `store.node`, else the host name and queue path.
    public var node: String

    public init(settings: StoreSettings = StoreSettings(), password: String? = nil, queueRoot: String) {
        self.settings = settings
        self.password = password
        node = settings.node ?? "\(ProcessInfo.processInfo.hostName):\(queueRoot)"
    }

    public var isPostgres: Bool { settings.kind == .postgres }

    /// The connection parameters of a PostgreSQL store (nil for SQLite).
    public var connector: PostgresConnector? {
        guard isPostgres, let url = settings.url else { return nil }
        return PostgresConnector(url: url, password: password, applicationName: "crier \(node)")
    }
}
