import CrierCore
import Foundation
import GRDB

/// The SQLite journal (`queue/.crier/journal.sqlite`, WAL, synchronous=FULL): the `Journal` of a
/// single daemon, and the source of truth for what was sent. Every (post, channel, part) gets its
/// delivery id here before its first attempt.
///
/// Writes go through `commit(_:completion:)`, which groups: changes that arrive while a transaction is
/// being written wait and go together in the next one, so one fsync covers many state changes and
/// durability does not cap throughput. A completion runs only after its changes are durable.
public final class SQLiteJournal: Journal, @unchecked Sendable {
    public let path: String
    /// A `DatabasePool` on disk (WAL: reads never wait for the writer's fsync), a queue in memory.
    private let database: any DatabaseWriter
    private var writer: JournalWriter!
    /// In memory only: the ids of the posts it holds, so that asking for others reads nothing
    /// (`JournalPostIDs` says why).
    private let postIDs: JournalPostIDs?

    /// Opens (creating and migrating if needed) the journal at `path`.
    public init(path: String) throws(JournalError) {
        self.path = path
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
            postIDs = nil
        } catch {
            throw JournalError(path: path, error)
        }
        writer = makeWriter()
    }

    /// An in-memory journal starting as a copy of the one at `path` (if it exists): dry-runs work on
    /// this, so they see real state but record nothing.
    public init(inMemoryCopyOf path: String?) throws(JournalError) {
        self.path = ":memory:"
        do {
            let memory = try DatabaseQueue()
            if let path, FileManager.default.fileExists(atPath: path) {
                var configuration = Configuration()
                configuration.readonly = true
                let source = try DatabaseQueue(path: path, configuration: configuration)
                try source.backup(to: memory)
            }
            try Self.migrator.migrate(memory)
            postIDs = JournalPostIDs(try memory.read { db in try String.fetchAll(db, sql: "SELECT id FROM post") })
            database = memory
        } catch {
            throw JournalError(path: path ?? ":memory:", error)
        }
        writer = makeWriter()
    }

    /// The group commit, writing each batch in one SQLite transaction.
    private func makeWriter() -> JournalWriter {
        let database = self.database
        let path = self.path
        let postIDs = self.postIDs
        return JournalWriter(label: "crier.journal.writer") { batch throws(JournalError) in
            postIDs?.insert(from: batch)
            do {
                try database.write { db in
                    var statements = Statements()
                    try Self.write(batch, in: db, statements: &statements)
                }
            } catch {
                throw JournalError(path: path, error)
            }
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE post (
                    id TEXT PRIMARY KEY NOT NULL,
                    file TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    state TEXT NOT NULL,
                    scheduled_at REAL NOT NULL,
                    expires_at REAL,
                    accepted_at REAL NOT NULL,
                    finished_at REAL
                );
                CREATE INDEX post_state ON post(state);
                CREATE TABLE delivery (
                    id TEXT PRIMARY KEY NOT NULL,
                    post_id TEXT NOT NULL REFERENCES post(id),
                    channel TEXT NOT NULL,
                    part INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    due_at REAL,
                    finished_at REAL,
                    http_status INTEGER,
                    error TEXT,
                    remote_id TEXT,
                    remote_url TEXT,
                    UNIQUE (post_id, channel, part)
                );
                CREATE INDEX delivery_status ON delivery(status);
                """)
        }
        migrator.registerMigration("v2-throttle") { db in
            try db.execute(sql: """
                CREATE TABLE send_log (
                    channel TEXT NOT NULL,
                    at REAL NOT NULL,
                    post_id TEXT NOT NULL,
                    delivery_id TEXT NOT NULL,
                    text TEXT NOT NULL
                );
                CREATE INDEX send_log_channel_at ON send_log(channel, at);
                CREATE TABLE channel_state (
                    channel TEXT PRIMARY KEY NOT NULL,
                    not_before REAL,
                    consecutive_failures INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE pause (
                    scope TEXT PRIMARY KEY NOT NULL,
                    reason TEXT NOT NULL,
                    paused_by TEXT NOT NULL,
                    paused_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-failures-index") { db in
            // Only `crier status` looks deliveries up by status, and only for failures: a partial
            // index serves it without an index update on every pending → sent change.
            try db.execute(sql: """
                DROP INDEX delivery_status;
                CREATE INDEX delivery_failures ON delivery(finished_at) WHERE status IN ('failed', 'expired');
                """)
        }
        migrator.registerMigration("v4-steps") { db in
            // Multi-step deliveries: what earlier steps yielded (JSON, NULL before the first step),
            // deliveries held as `unknown`, and the operator's answers for them (`crier resolve`),
            // which a running daemon picks up and deletes.
            try db.execute(sql: """
                ALTER TABLE delivery ADD COLUMN progress TEXT;
                CREATE INDEX delivery_unknown ON delivery(post_id) WHERE status = 'unknown';
                CREATE TABLE resolution (
                    delivery_id TEXT PRIMARY KEY NOT NULL,
                    post_id TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    part INTEGER NOT NULL,
                    sent INTEGER NOT NULL,
                    remote_url TEXT,
                    resolved_by TEXT NOT NULL,
                    resolved_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5-breaker") { db in
            // The circuit breaker closes by itself: when it is open until, the cool-down it opened
            // with, and when the last counted failure came back.
            try db.execute(sql: """
                ALTER TABLE channel_state ADD COLUMN last_failure_at REAL;
                ALTER TABLE channel_state ADD COLUMN open_until REAL;
                ALTER TABLE channel_state ADD COLUMN cooldown REAL NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v6-session") { db in
            // What crier keeps per channel for its platform: a login's tokens, a resolved room id,
            // server limits (`ChannelSession`, as sorted-key JSON). Credentials: the journal's
            // directory is 0700.
            try db.execute(sql: """
                CREATE TABLE channel_session (
                    channel TEXT PRIMARY KEY NOT NULL,
                    session TEXT NOT NULL,
                    updated_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v7-teams") { db in
            // Who did what (`crier log`), who dropped each post, and approvals bound to the content
            // hash of each channel's variant.
            try db.execute(sql: """
                ALTER TABLE post ADD COLUMN queued_by TEXT;
                CREATE TABLE approval (
                    post_id TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    state TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    actor TEXT,
                    at REAL NOT NULL,
                    note TEXT,
                    planned_at REAL,
                    PRIMARY KEY (post_id, channel)
                );
                CREATE TABLE event_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    post_id TEXT,
                    channel TEXT,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX event_log_at ON event_log (at);
                CREATE INDEX event_log_post ON event_log (post_id, at);
                """)
        }
        migrator.registerMigration("v8-file-signature") { db in
            // What `lstat` said of each post's file when it was read: a restart restores the schedule
            // from the journal and re-reads only files whose signature changed.
            try db.execute(sql: """
                ALTER TABLE post ADD COLUMN file_inode INTEGER;
                ALTER TABLE post ADD COLUMN file_size INTEGER;
                ALTER TABLE post ADD COLUMN file_mtime_ns INTEGER;
                ALTER TABLE post ADD COLUMN file_owner INTEGER;
                """)
        }
        return migrator
    }

    // MARK: Writing

    /// Queues `changes` for the next group commit (`JournalWriter`); `completion` runs once they
    /// are durable.
    public func commit(_ changes: [JournalChange], on queue: DispatchQueue?,
                       completion: (@Sendable (JournalError?) -> Void)?) {
        writer.commit(changes, on: queue, completion: completion)
    }

    /// Blocks until everything committed so far is durable.
    public func waitForPendingCommits() {
        writer.waitForPendingCommits()
    }

    public func observeHealth(on queue: DispatchQueue, _ observer: @escaping @Sendable (JournalError?) -> Void) {
        writer.observeHealth(on: queue, observer)
    }

    /// Writes `batch` in order, except that each run of post upserts, delivery upserts and history
    /// lines (what a pick-up writes: three rows per post) goes in multi-row INSERTs, one table after
    /// the other — posts, then deliveries (which refer to them), then history — each table's rows
    /// in their order. Nothing else reads the tables between, and each row of a multi-row upsert is
    /// applied in turn, so a later row for the same key updates an earlier one as before.
    private static func write(_ batch: [JournalChange], in db: Database, statements: inout Statements) throws {
        var posts: [Int] = []
        var deliveries: [Int] = []
        var events: [Int] = []
        func writeRun() throws {
            try writeRows(posts, of: batch, as: .upsertPost, in: db, statements: &statements)
            try writeRows(deliveries, of: batch, as: .upsertDelivery, in: db, statements: &statements)
            try writeRows(events, of: batch, as: .history, in: db, statements: &statements)
            posts.removeAll(keepingCapacity: true)
            deliveries.removeAll(keepingCapacity: true)
            events.removeAll(keepingCapacity: true)
        }
        for (index, change) in batch.enumerated() {
            switch change {
            case .upsertPost: posts.append(index)
            case .upsertDelivery: deliveries.append(index)
            case .history: events.append(index)
            default:
                try writeRun()
                try write(change, in: db, statements: &statements)
            }
        }
        try writeRun()
    }

    /// Writes the changes of `batch` at `indices` (all of the kind `hot` stands for), `Statements.rowsPerInsert`
    /// rows per statement, the rest one by one.
    private static func writeRows(_ indices: [Int], of batch: [JournalChange], as hot: Statements.Hot, in db: Database,
                                  statements: inout Statements) throws {
        var start = 0
        while start < indices.count {
            let rows = indices.count - start >= Statements.rowsPerInsert ? Statements.rowsPerInsert : 1
            try statements.statement(hot, rows: rows, in: db).execute { bind in
                for index in indices[start..<(start + rows)] { bindRow(batch[index], to: &bind) }
            }
            start += rows
        }
    }

    /// Binds the row of a post upsert, a delivery upsert or a history line.
    private static func bindRow(_ change: JournalChange, to bind: inout JournalStatementBinder) {
        switch change {
        case .upsertPost(let post): bindPost(post, to: &bind)
        case .upsertDelivery(let record): bindDelivery(record, to: &bind)
        case .history(let event): bindHistory(event, to: &bind)
        default: preconditionFailure("not a row change: \(change)")
        }
    }

    private static func bindPost(_ post: JournalPost, to bind: inout JournalStatementBinder) {
        bind.text(post.id)
        bind.text(post.file)
        bind.text(post.contentHash)
        bind.text(post.state.rawValue)
        bind.date(post.scheduledAt)
        bind.date(post.expiresAt)
        bind.date(post.acceptedAt)
        bind.date(post.finishedAt)
        bind.text(post.queuedBy)
        bind.integer(post.fileSignature.map { Int(bitPattern: UInt($0.inode)) })
        bind.integer(post.fileSignature.map { Int($0.size) })
        bind.integer(post.fileSignature.map { Int($0.modifiedNanoseconds) })
        bind.integer(post.fileSignature.map { Int($0.owner) })
    }

    private static func bindDelivery(_ record: DeliveryRecord, to bind: inout JournalStatementBinder) {
        bind.text(record.id)
        bind.text(record.key.post)
        bind.text(record.key.channel)
        bind.integer(record.key.part)
        bindState(of: record, to: &bind)
    }

    private static func bindHistory(_ event: HistoryEvent, to bind: inout JournalStatementBinder) {
        bind.date(event.at)
        bind.text(event.postID)
        bind.text(event.channel)
        bind.text(event.actor)
        bind.text(event.action)
        bind.text(event.detail)
    }

    private static func write(_ change: JournalChange, in db: Database, statements: inout Statements) throws {
        switch change {
        case .upsertPost(let post):
            try statements.statement(.upsertPost, in: db).execute { bind in bindPost(post, to: &bind) }
        case .recordSend(let send):
            let statement = try db.cachedStatement(sql: "INSERT INTO send_log (channel, at, post_id, delivery_id, text) VALUES (?, ?, ?, ?, ?)")
            try statement.execute(arguments: [send.channel, send.at.timeIntervalSince1970, send.postID, send.deliveryID, send.text])
        case .completeSend(let deliveryID, let startedAt, let completedAt):
            let statement = try db.cachedStatement(sql: "UPDATE send_log SET at = ? WHERE delivery_id = ? AND at = ?")
            try statement.execute(arguments: [completedAt.timeIntervalSince1970, deliveryID, startedAt.timeIntervalSince1970])
        case .pruneSends(let before):
            try db.execute(sql: "DELETE FROM send_log WHERE at < ?", arguments: [before.timeIntervalSince1970])
        case .channelState(let channel, let state):
            try db.execute(sql: """
                INSERT INTO channel_state (channel, not_before, consecutive_failures, last_failure_at, open_until, cooldown)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(channel) DO UPDATE SET not_before = excluded.not_before, consecutive_failures = excluded.consecutive_failures,
                    last_failure_at = excluded.last_failure_at, open_until = excluded.open_until, cooldown = excluded.cooldown
                """, arguments: [channel, state.notBefore?.timeIntervalSince1970, state.consecutiveFailures,
                                  state.lastFailureAt?.timeIntervalSince1970, state.openUntil?.timeIntervalSince1970, state.cooldown])
        case .storeSession(let channel, let session):
            try db.execute(sql: """
                INSERT INTO channel_session (channel, session, updated_at) VALUES (?, ?, ?)
                ON CONFLICT(channel) DO UPDATE SET session = excluded.session, updated_at = excluded.updated_at
                """, arguments: [channel, ChannelSessionCoding.encode(session), Date().timeIntervalSince1970])
        case .approval(let record):
            try db.execute(sql: """
                INSERT INTO approval (post_id, channel, state, content_hash, actor, at, note, planned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(post_id, channel) DO UPDATE SET state = excluded.state, content_hash = excluded.content_hash,
                    actor = excluded.actor, at = excluded.at, note = excluded.note, planned_at = excluded.planned_at
                """, arguments: [record.postID, record.channel, record.state.rawValue, record.contentHash, record.actor,
                                  record.at.timeIntervalSince1970, record.note, record.plannedAt?.timeIntervalSince1970])
        case .dropApprovals(let postID):
            // Once per filed post: a prepared statement, not SQL parsed again each time.
            _ = try statements.statement(.dropApprovals, in: db).execute { bind in bind.text(postID) }
        case .history(let event):
            _ = try statements.statement(.history, in: db).execute { bind in bindHistory(event, to: &bind) }
        case .closeBreaker(let channel):
            try db.execute(sql: """
                UPDATE channel_state SET open_until = NULL, cooldown = 0, consecutive_failures = 0, last_failure_at = NULL
                WHERE channel = ?
                """, arguments: [channel])
        case .pause(let record):
            try db.execute(sql: """
                INSERT INTO pause (scope, reason, paused_by, paused_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(scope) DO UPDATE SET reason = excluded.reason, paused_by = excluded.paused_by, paused_at = excluded.paused_at
                """, arguments: [record.scope, record.reason, record.pausedBy, record.pausedAt.timeIntervalSince1970])
        case .resume(let scope):
            if scope == "*" {
                try db.execute(sql: "DELETE FROM pause")
            } else {
                try db.execute(sql: "DELETE FROM pause WHERE scope = ?", arguments: [scope])
            }
        case .resolution(let resolution):
            try db.execute(sql: """
                INSERT INTO resolution (delivery_id, post_id, channel, part, sent, remote_url, resolved_by, resolved_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(delivery_id) DO UPDATE SET sent = excluded.sent, remote_url = excluded.remote_url,
                    resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at
                """, arguments: [resolution.deliveryID, resolution.key.post, resolution.key.channel, resolution.key.part,
                                  resolution.sent, resolution.remoteURL, resolution.resolvedBy, resolution.resolvedAt.timeIntervalSince1970])
        case .resolutionApplied(let deliveryID):
            try db.execute(sql: "DELETE FROM resolution WHERE delivery_id = ?", arguments: [deliveryID])
        case .postSource:
            break
        case .upsertDelivery(let record):
            try upsertDelivery(record, in: db, statements: &statements)
        case .updateDelivery(let record):
            let changed = try statements.statement(.updateDelivery, in: db).execute { bind in
                bindState(of: record, to: &bind)
                bind.text(record.id)
            }
            if changed == 0 { try upsertDelivery(record, in: db, statements: &statements) }
        }
    }

    private static func upsertDelivery(_ record: DeliveryRecord, in db: Database, statements: inout Statements) throws {
        try statements.statement(.upsertDelivery, in: db).execute { bind in bindDelivery(record, to: &bind) }
    }

    /// A delivery's changing columns, in table order: status … progress.
    private static func bindState(of record: DeliveryRecord, to bind: inout JournalStatementBinder) {
        bind.text(record.status.rawValue)
        bind.integer(record.attempts)
        bind.date(record.dueAt)
        bind.date(record.finishedAt)
        bind.integer(record.httpStatus)
        bind.text(record.error)
        bind.text(record.remote?.id)
        bind.text(record.remote?.url)
        bind.text(record.progress.isStart ? nil : DeliveryProgressCoding.encode(record.progress))
    }

    /// The hot statements of one transaction, looked up in GRDB's statement cache once per
    /// transaction rather than once per change (GRDB's cache is keyed by the SQL text).
    private struct Statements {
        enum Hot: CaseIterable {
            case upsertPost, upsertDelivery, updateDelivery, history, dropApprovals

            var sql: String {
                switch self {
                case .upsertPost:
                    """
                    INSERT INTO post (id, file, content_hash, state, scheduled_at, expires_at, accepted_at, finished_at, queued_by,
                        file_inode, file_size, file_mtime_ns, file_owner)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET file = excluded.file, content_hash = excluded.content_hash,
                        state = excluded.state, scheduled_at = excluded.scheduled_at, expires_at = excluded.expires_at,
                        finished_at = excluded.finished_at, queued_by = COALESCE(post.queued_by, excluded.queued_by),
                        file_inode = excluded.file_inode, file_size = excluded.file_size, file_mtime_ns = excluded.file_mtime_ns,
                        file_owner = excluded.file_owner
                    """
                case .upsertDelivery:
                    """
                    INSERT INTO delivery (id, post_id, channel, part, status, attempts, due_at, finished_at, http_status, error, remote_id,
                        remote_url, progress)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
                        due_at = excluded.due_at, finished_at = excluded.finished_at, http_status = excluded.http_status,
                        error = excluded.error, remote_id = excluded.remote_id, remote_url = excluded.remote_url,
                        progress = excluded.progress
                    """
                case .updateDelivery:
                    """
                    UPDATE delivery SET status = ?, attempts = ?, due_at = ?, finished_at = ?, http_status = ?,
                        error = ?, remote_id = ?, remote_url = ?, progress = ? WHERE id = ?
                    """
                case .history:
                    "INSERT INTO event_log (at, post_id, channel, actor, action, detail) VALUES (?, ?, ?, ?, ?, ?)"
                case .dropApprovals:
                    "DELETE FROM approval WHERE post_id = ?"
                }
            }
        }

        /// Rows per multi-row INSERT (`write(_:in:statements:)`): 64 posts are 832 parameters, far
        /// below SQLite's limit, and longer statements saved nothing more.
        static let rowsPerInsert = 64

        private var prepared: [Hot: JournalStatement] = [:]
        private var preparedRows: [Hot: JournalStatement] = [:]

        mutating func statement(_ hot: Hot, in db: Database) throws -> JournalStatement {
            if let statement = prepared[hot] { return statement }
            let statement = JournalStatement(statement: try db.cachedStatement(sql: hot.sql))
            prepared[hot] = statement
            return statement
        }

        /// `hot` (an INSERT) with `rows` rows of values: 1 or `rowsPerInsert`.
        mutating func statement(_ hot: Hot, rows: Int, in db: Database) throws -> JournalStatement {
            guard rows > 1 else { return try statement(hot, in: db) }
            precondition(rows == Self.rowsPerInsert)
            if let statement = preparedRows[hot] { return statement }
            let statement = JournalStatement(statement: try db.cachedStatement(sql: Self.sql(of: hot, rows: rows)))
            preparedRows[hot] = statement
            return statement
        }

        /// The INSERT of `hot` with its `VALUES (?, …)` tuple repeated `rows` times.
        static func sql(of hot: Hot, rows: Int) -> String {
            let sql = hot.sql
            guard let values = sql.range(of: "VALUES ("), let close = sql[values.upperBound...].firstIndex(of: ")") else {
                preconditionFailure("not an INSERT … VALUES: \(sql)")
            }
            let tuple = String(sql[sql.index(before: values.upperBound)...close])
            return String(sql[..<values.upperBound].dropLast()) + Array(repeating: tuple, count: rows).joined(separator: ", ")
                + String(sql[sql.index(after: close)...])
        }
    }

    // MARK: Throttle state

    /// Sends on each channel since `since` (oldest first): the sliding windows and the near-duplicate
    /// guard are rebuilt from this after a restart, so a restart never sends faster than the limits.
    public func sends(since: Date) throws(JournalError) -> [String: [SendRecord]] {
        do {
            return try database.read { db in
                var result: [String: [SendRecord]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM send_log WHERE at >= ? ORDER BY at", arguments: [since.timeIntervalSince1970]) {
                    let record = SendRecord(channel: row["channel"], at: Date(timeIntervalSince1970: row["at"]), postID: row["post_id"],
                                            deliveryID: row["delivery_id"], text: row["text"])
                    result[record.channel, default: []].append(record)
                }
                return result
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    public func channelStates() throws(JournalError) -> [String: ChannelState] {
        do {
            return try database.read { db in
                var result: [String: ChannelState] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM channel_state") {
                    result[row["channel"]] = ChannelState(notBefore: (row["not_before"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                                          consecutiveFailures: row["consecutive_failures"],
                                                          lastFailureAt: (row["last_failure_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                                          openUntil: (row["open_until"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                                          cooldown: row["cooldown"] ?? 0)
                }
                return result
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    public func sessions() throws(JournalError) -> [String: ChannelSession] {
        do {
            return try database.read { db in
                var result: [String: ChannelSession] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT channel, session FROM channel_session") {
                    // An unreadable session is as good as none: the adapter logs in again.
                    if let session = ChannelSessionCoding.decode(row["session"]) { result[row["channel"]] = session }
                }
                return result
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    public func approvals() throws(JournalError) -> [ApprovalRecord] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM approval ORDER BY post_id, channel").map { row in
                    ApprovalRecord(postID: row["post_id"], channel: row["channel"],
                                   state: ApprovalRecord.State(rawValue: row["state"]) ?? .pending, contentHash: row["content_hash"],
                                   actor: row["actor"], at: Date(timeIntervalSince1970: row["at"]), note: row["note"],
                                   plannedAt: (row["planned_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
                }
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    public func history(postID: String?, since: Date?, limit: Int) throws(JournalError) -> [HistoryEvent] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let postID {
            conditions.append("post_id = ?")
            arguments.append(postID)
        }
        if let since {
            conditions.append("at >= ?")
            arguments.append(since.timeIntervalSince1970)
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(max(1, limit))
        do {
            return try database.read { db in
                // The newest `limit` lines, returned oldest first.
                try Row.fetchAll(db, sql: "SELECT * FROM event_log \(filter) ORDER BY at DESC, id DESC LIMIT ?",
                                 arguments: StatementArguments(arguments)).reversed().map { row in
                    HistoryEvent(at: Date(timeIntervalSince1970: row["at"]), postID: row["post_id"], channel: row["channel"],
                             actor: row["actor"], action: row["action"], detail: row["detail"])
                }
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// Pauses set with `crier pause`, by scope (`*` for everything, else a channel name).
    public func pauses() throws(JournalError) -> [String: PauseRecord] {
        do {
            return try database.read { db in
                var result: [String: PauseRecord] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT * FROM pause") {
                    let record = PauseRecord(scope: row["scope"], reason: row["reason"], pausedBy: row["paused_by"],
                                             pausedAt: Date(timeIntervalSince1970: row["paused_at"]))
                    result[record.scope] = record
                }
                return result
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    // MARK: Reading

    /// Posts not yet finished, with all their deliveries: what a restart resumes. Read with cursors
    /// and columns by position (a restart with 100,000 pending posts reads 200,000 rows: neither an
    /// array of every row nor a lookup of each column by name is free), in post id order.
    public func unfinishedPosts() throws(JournalError) -> [(JournalPost, [DeliveryRecord])] {
        do {
            return try database.read { db in
                var result: [(JournalPost, [DeliveryRecord])] = []
                var index: [String: Int] = [:]
                let posts = try Row.fetchCursor(db, sql: "SELECT \(Self.postColumns) FROM post WHERE state = 'pending' ORDER BY id")
                while let row = try posts.next() {
                    let post = Self.post(row)
                    index[post.id] = result.count
                    result.append((post, []))
                }
                let deliveries = try Row.fetchCursor(db, sql: """
                    SELECT \(Self.deliveryColumns("d.")) FROM delivery d JOIN post p ON p.id = d.post_id WHERE p.state = 'pending'
                    """)
                while let row = try deliveries.next() {
                    let record = Self.delivery(row)
                    if let position = index[record.key.post] { result[position].1.append(record) }
                }
                return result
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// One row per unfinished post (its deliveries summed up), by post id: grouped in SQLite, so a
    /// restart with 100,000 pending posts builds no delivery record for the ones it puts to sleep.
    public func unfinishedSchedule() throws(JournalError) -> [ScheduledPost] {
        do {
            return try database.read { db in
                var result: [ScheduledPost] = []
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT p.id, p.file, p.content_hash, p.file_inode, p.file_size, p.file_mtime_ns, p.file_owner,
                        MIN(CASE WHEN d.status = 'pending' THEN d.due_at END),
                        COALESCE(SUM(d.status = 'pending'), 0),
                        COALESCE(SUM(d.status = 'unknown' OR (d.status = 'pending' AND d.progress IS NOT NULL)), 0)
                    FROM post p LEFT JOIN delivery d ON d.post_id = p.id
                    WHERE p.state = 'pending' GROUP BY p.id ORDER BY p.id
                    """)
                while let row = try rows.next() {
                    let inDoubt: Int = row[9]
                    result.append(ScheduledPost(id: row[0], file: row[1], contentHash: row[2], fileSignature: Self.fileSignature(row, at: 3),
                                                earliestPendingDue: (row[7] as Double?).map(Date.init(timeIntervalSince1970:)),
                                                pendingDeliveries: row[8], inDoubt: inDoubt > 0))
                }
                return result
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    public func pendingDues(channel: String) throws(JournalError) -> [Date] {
        do {
            return try database.read { db in
                try Double.fetchAll(db, sql: """
                    SELECT d.due_at FROM delivery d JOIN post p ON p.id = d.post_id
                    WHERE p.state = 'pending' AND d.status = 'pending' AND d.channel = ? AND d.due_at IS NOT NULL
                    """, arguments: [channel]).map(Date.init(timeIntervalSince1970:))
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// One post and its deliveries, or nil.
    public func post(id: String) throws(JournalError) -> (JournalPost, [DeliveryRecord])? {
        do {
            return try database.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.postColumns) FROM post WHERE id = ?", arguments: [id]) else {
                    return nil
                }
                let records = try Row.fetchAll(db, sql: "SELECT \(Self.deliveryColumns()) FROM delivery WHERE post_id = ? ORDER BY channel, part",
                                               arguments: [id])
                    .map(Self.delivery)
                return (Self.post(row), records)
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// The journal rows of those of `ids` it knows, with their deliveries: one query for a whole
    /// intake batch (most ids are new and absent).
    public func posts(ids: [String]) throws(JournalError) -> [String: (JournalPost, [DeliveryRecord])] {
        let ids = postIDs?.known(among: ids) ?? ids
        guard !ids.isEmpty else { return [:] }
        do {
            return try database.read { db in
                var found: [String: (JournalPost, [DeliveryRecord])] = [:]
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = Array(ids[start..<min(start + 500, ids.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    for row in try Row.fetchAll(db, sql: "SELECT \(Self.postColumns) FROM post WHERE id IN (\(marks))",
                                                 arguments: StatementArguments(chunk)) {
                        let post = Self.post(row)
                        found[post.id] = (post, [])
                    }
                }
                for id in found.keys {
                    found[id]?.1 = try Row.fetchAll(db, sql: "SELECT \(Self.deliveryColumns()) FROM delivery WHERE post_id = ?", arguments: [id])
                        .map(Self.delivery)
                }
                return found
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// Counts of posts by state (the benchmark checks every post was sent with it).
    public func postCounts() throws(JournalError) -> [JournalPost.State: Int] {
        do {
            return try database.read { db in
                var counts: [JournalPost.State: Int] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM post GROUP BY state") {
                    if let state = JournalPost.State(rawValue: row["state"]) { counts[state] = row["n"] }
                }
                return counts
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// Pending deliveries' earliest due time per channel, for `crier status`.
    public func nextDuePerChannel() throws(JournalError) -> [String: Date] {
        do {
            return try database.read { db in
                var result: [String: Date] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT d.channel AS channel, MIN(d.due_at) AS due FROM delivery d JOIN post p ON p.id = d.post_id
                    WHERE d.status = 'pending' AND p.state = 'pending' GROUP BY d.channel
                    """) {
                    if let due: Double = row["due"] { result[row["channel"]] = Date(timeIntervalSince1970: due) }
                }
                return result
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// The most recent failed or expired deliveries, newest first.
    public func recentFailures(limit: Int) throws(JournalError) -> [DeliveryRecord] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT \(Self.deliveryColumns()) FROM delivery WHERE status IN ('failed', 'expired') ORDER BY finished_at DESC LIMIT ?
                    """, arguments: [limit]).map(Self.delivery)
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// Deliveries held as `unknown`, oldest first: `crier status` lists them for the operator.
    public func unknownDeliveries() throws(JournalError) -> [DeliveryRecord] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT \(Self.deliveryColumns("d.")) FROM delivery d JOIN post p ON p.id = d.post_id
                    WHERE d.status = 'unknown' AND p.state = 'pending' ORDER BY d.post_id, d.channel, d.part
                    """).map(Self.delivery)
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// The operator's answers not yet applied by a daemon.
    public func resolutions() throws(JournalError) -> [Resolution] {
        do {
            return try database.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM resolution ORDER BY resolved_at").map { row in
                    Resolution(deliveryID: row["delivery_id"], key: DeliveryKey(post: row["post_id"], channel: row["channel"], part: row["part"]),
                               sent: row["sent"], remoteURL: row["remote_url"], resolvedBy: row["resolved_by"],
                               resolvedAt: Date(timeIntervalSince1970: row["resolved_at"]))
                }
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// Writes `changes` at once in one transaction (for commands run outside the daemon).
    public func commitNow(_ changes: [JournalChange]) throws(JournalError) {
        postIDs?.insert(from: changes)
        do {
            try database.write { db in
                var statements = Statements()
                for change in changes { try Self.write(change, in: db, statements: &statements) }
            }
        } catch {
            throw JournalError(path: path, error)
        }
    }

    /// The columns `post(_:)` reads, by position.
    private static let postColumns = """
        id, file, content_hash, state, scheduled_at, expires_at, accepted_at, finished_at, queued_by, \
        file_inode, file_size, file_mtime_ns, file_owner
        """

    /// The file signature in the four columns from `index` (inode, size, mtime in ns, owner), if set.
    private static func fileSignature(_ row: Row, at index: Int) -> FileSignature? {
        guard let inode = row[index] as Int64?, let size = row[index + 1] as Int64?, let modified = row[index + 2] as Int64?,
              let owner = row[index + 3] as Int64? else { return nil }
        return FileSignature(regularFileInode: UInt64(bitPattern: inode), size: size, modifiedNanoseconds: modified,
                             owner: UInt32(truncatingIfNeeded: owner))
    }

    private static func post(_ row: Row) -> JournalPost {
        let signature = fileSignature(row, at: 9)
        return JournalPost(id: row[0], file: row[1], contentHash: row[2], state: JournalPost.State(rawValue: row[3]) ?? .pending,
                           scheduledAt: Date(timeIntervalSince1970: row[4]),
                           expiresAt: (row[5] as Double?).map(Date.init(timeIntervalSince1970:)),
                           acceptedAt: Date(timeIntervalSince1970: row[6]),
                           finishedAt: (row[7] as Double?).map(Date.init(timeIntervalSince1970:)),
                           queuedBy: row[8], fileSignature: signature)
    }

    /// The columns `delivery(_:)` reads, by position (`prefix`: a table alias such as `d.`).
    private static func deliveryColumns(_ prefix: String = "") -> String {
        ["id", "post_id", "channel", "part", "status", "attempts", "due_at", "finished_at", "http_status", "error", "remote_id",
         "remote_url", "progress"].map { prefix + $0 }.joined(separator: ", ")
    }

    private static func delivery(_ row: Row) -> DeliveryRecord {
        let remoteID: String? = row[10]
        let remoteURL: String? = row[11]
        return DeliveryRecord(
            id: row[0], key: DeliveryKey(post: row[1], channel: row[2], part: row[3]),
            status: DeliveryStatus(rawValue: row[4]) ?? .pending, attempts: row[5],
            dueAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)),
            finishedAt: (row[7] as Double?).map(Date.init(timeIntervalSince1970:)),
            httpStatus: row[8], error: row[9],
            remote: remoteID == nil && remoteURL == nil ? nil : RemoteReference(id: remoteID, url: remoteURL),
            progress: (row[12] as String?).map(DeliveryProgressCoding.decodeOrHold) ?? .start)
    }
}
