import Foundation
import Synchronization

/// One test's own database on the test PostgreSQL (`PostgresServer.createDatabase()`): its URL and
/// password for crier's `store:` section, a way to look inside it, and `drop()` (also on deinit).
public final class PostgresDatabase: Sendable {
    /// `crier_t_<random>`.
    public let name: String
    /// A libpq URI without the password: `postgres://crier@127.0.0.1:PORT/crier_t_…`.
    public let url: String
    public let password: String
    public let server: PostgresServer
    private let dropped = Mutex(false)

    init(name: String, url: String, password: String, server: PostgresServer) {
        self.name = name
        self.url = url
        self.password = password
        self.server = server
    }

    deinit {
        drop()
    }

    /// The environment a `crier` subprocess needs for `passwordReference`'s default.
    public var environment: [String: String] { ["CRIER_PG_PASSWORD": password] }

    /// crier.yml's `store:` section for one node of a cluster on this database.
    public func storeConfig(node: String, lease: String = "10s", passwordReference: String = "env:CRIER_PG_PASSWORD") -> String {
        "store:\n  kind: postgres\n  url: \(url)\n  password: \(passwordReference)\n  node: \(node)\n  lease: \(lease)\n"
    }

    /// Runs `sql` as `crier` in this database; its output (tuples only, `|` between columns).
    @discardableResult
    public func query(_ sql: String) throws -> String {
        try PostgresServer.psql(server.psql, url: url, password: password, sql: sql)
    }

    /// Drops the database, ending any session still in it (a daemon killed with SIGKILL leaves its
    /// connections until the server notices). Idempotent; a failure is ignored (the cluster is
    /// removed by `scripts/postgres.sh stop` in any case).
    public func drop() {
        let first = dropped.withLock { dropped in
            defer { dropped = true }
            return !dropped
        }
        guard first else { return }
        _ = try? server.admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}
