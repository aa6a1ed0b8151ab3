import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// The store a contract test runs against.
enum StoreKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }
}

/// One test's store: an SQLite journal in a temporary directory of its own, or a fresh database on
/// the test PostgreSQL (`scripts/postgres.sh start`), migrated. `open()` makes a new journal on the
/// same storage each time, so a second `open()` is a reopen; on PostgreSQL `open(node:)` is another
/// daemon on the same database.
final class JournalFixture: @unchecked Sendable {
    // Confinement: immutable after init.
    let kind: StoreKind
    /// The node name PostgreSQL journals get unless told otherwise.
    let node: String
    private let directory: TemporaryDirectory?
    let database: PostgresDatabase?

    init(_ kind: StoreKind, node: String = "node-a", sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.kind = kind
        self.node = node
        switch kind {
        case .sqlite:
            directory = TemporaryDirectory()
            database = nil
        case .postgres:
            directory = nil
            let database = try PostgresServer.running(sourceLocation: sourceLocation).createDatabase()
            self.database = database
            _ = try PostgresMigrator.migrate(try Self.connector(for: database).connect())
        }
    }

    deinit {
        database?.drop()
    }

    static func connector(for database: PostgresDatabase) -> PostgresConnector {
        PostgresConnector(url: database.url, password: database.password, applicationName: "crier test")
    }

    /// How to reach the PostgreSQL database (nil for SQLite).
    var connector: PostgresConnector? { database.map(Self.connector(for:)) }

    /// A journal on this store: SQLite at the same path each time, PostgreSQL as `node`.
    func open(node: String? = nil, lease: TimeInterval = 10) throws -> any Journal {
        switch kind {
        case .sqlite:
            return try SQLiteJournal(path: directory!.path + "/journal.sqlite")
        case .postgres:
            return try PostgresJournal(connector: connector!, node: node ?? self.node, lease: lease)
        }
    }

    /// A PostgreSQL journal as `node` (the PostgreSQL-only suites).
    func postgres(node: String? = nil, lease: TimeInterval = 10) throws -> PostgresJournal {
        try PostgresJournal(connector: connector!, node: node ?? self.node, lease: lease)
    }

    /// `post` as this store reads it back: PostgreSQL records the node it was written by as its
    /// origin, SQLite has none.
    func stored(_ post: JournalPost, origin: String? = nil) -> JournalPost {
        var post = post
        post.origin = kind == .postgres ? origin ?? node : nil
        return post
    }

    /// Runs `sql` as crier in the test's own database (PostgreSQL only): tuples only, `|` between columns.
    @discardableResult
    func query(_ sql: String) throws -> String {
        try database!.query(sql)
    }
}

/// Times the stores keep exactly (whole seconds and binary fractions survive `Date`'s conversion
/// to epoch seconds and back unchanged).
func epoch(_ seconds: Double) -> Date {
    Date(timeIntervalSince1970: 1_700_000_000 + seconds)
}

func journalPost(_ id: String, state: JournalPost.State = .pending, scheduledAt: Date = epoch(0)) -> JournalPost {
    JournalPost(id: id, file: "\(id).md", contentHash: "h-\(id)", state: state, scheduledAt: scheduledAt, expiresAt: nil,
                acceptedAt: epoch(0))
}

func journalDelivery(_ id: String, post: String, channel: String = "ops", part: Int = 1, dueAt: Date? = epoch(100)) -> DeliveryRecord {
    DeliveryRecord(id: id, key: DeliveryKey(post: post, channel: channel, part: part), dueAt: dueAt)
}

/// Deliveries in a stable order, for comparing stores that return them in different orders.
func inKeyOrder(_ records: [DeliveryRecord]) -> [DeliveryRecord] {
    records.sorted { $0.key < $1.key }
}

extension SendClaim.Answer {
    var isGranted: Bool {
        if case .granted = self { return true }
        return false
    }

    var laterUntil: Date? {
        switch self {
        case .later(let until, _), .channelLater(let until, _): until
        default: nil
        }
    }

    var reason: String? {
        switch self {
        case .later(_, let reason), .channelLater(_, let reason): reason
        case .unavailable(let problem): problem
        default: nil
        }
    }
}
