import CrierCore
import Foundation

/// The journal in a PostgreSQL database shared by several daemons (`store: postgres`). Each daemon
/// (a *node*) keeps its own queue directory; the database holds every node's posts, deliveries, send
/// history, channel state, pauses, sessions, approvals and history, in the tables of
/// `PostgresSchema`.
///
/// What differs from the SQLite journal: a restart resumes the posts dropped on this node
/// (`post.origin`); a delivery another node holds (`claimed_by`, `lease_until`, see
/// `PostgresClaims`) is not overwritten by this one while the lease lasts; a delivery that was
/// `sent` stays sent whoever writes it next; control changes (pauses, resolutions, approvals,
/// breakers) bump the control version and `NOTIFY crier_control`, so every node sees them within a
/// second.
///
/// Writes are group-committed through `JournalWriter` on their own connection, like SQLite's; a
/// lost connection is a failed commit (kept, retried with backoff, reported through
/// `observeHealth`) and is reconnected on the next try. Reads use a second connection.
public final class PostgresJournal: Journal, @unchecked Sendable {
    public let path: String
    /// This daemon's node name (the origin of the posts it takes in).
    public let node: String
    private let connector: PostgresConnector
    // Confinement: `writeConnection` only on the writer's queue; `readConnection` under `readLock`.
    private var writeConnection: PostgresConnection?
    private var readConnection: PostgresConnection?
    private let readLock = NSLock()
    private var writer: JournalWriter!
    /// Claims, leases, heartbeats and notifications among the nodes.
    public let cluster: (any ClusterCoordinator)?

    /// Connects and checks the schema: one this build reads and writes, else an error that says to
    /// run `crier migrate` (missing or older) or to upgrade crier (newer).
    public init(connector: PostgresConnector, node: String, lease: TimeInterval = 10) throws(JournalError) {
        self.connector = connector
        self.node = node
        path = connector.displayURL
        cluster = PostgresCluster(connector: connector, node: node, lease: lease)
        let connection: PostgresConnection
        do {
            connection = try connector.connect()
            try PostgresMigrator.requireCurrent(connection)
        } catch {
            throw JournalError(path: path, error)
        }
        readConnection = connection
        writer = JournalWriter(label: "crier.journal.postgres-writer") { [unowned self] batch throws(JournalError) in
            try self.write(batch)
        }
    }

    // MARK: Writing

    public func commit(_ changes: [JournalChange], on queue: DispatchQueue?, completion: (@Sendable (JournalError?) -> Void)?) {
        writer.commit(changes, on: queue, completion: completion)
    }

    public func observeHealth(on queue: DispatchQueue, _ observer: @escaping @Sendable (JournalError?) -> Void) {
        writer.observeHealth(on: queue, observer)
    }

    public func waitForPendingCommits() {
        writer.waitForPendingCommits()
    }

    public func commitNow(_ changes: [JournalChange]) throws(JournalError) {
        waitForPendingCommits()
        let result: Result<Void, JournalError> = writer.onWriterQueue { Result { () throws(JournalError) in try self.write(changes) } }
        try result.get()
    }

    /// One batch in one transaction, on the writer's connection (made again if it broke).
    private func write(_ batch: [JournalChange]) throws(JournalError) {
        do {
            let connection: PostgresConnection
            if let existing = writeConnection, existing.isUsable {
                connection = existing
            } else {
                writeConnection = nil
                connection = try connector.connect()
                writeConnection = connection
            }
            let now = Date()
            var control = false
            var posts = false
            try connection.transaction { () throws(PostgresError) in
                for change in batch {
                    switch try write(change, on: connection, now: now) {
                    case .control: control = true
                    case .post: posts = true
                    case .other: break
                    }
                }
                if control { try connection.query("UPDATE control SET version = version + 1 WHERE id = 1") }
                // Delivered with the commit, to every node listening.
                if control { try connection.query("NOTIFY crier_control") }
                if posts { try connection.query("NOTIFY crier_post") }
            }
        } catch {
            if !error.isConnectionProblem || !(writeConnection?.isUsable ?? false) { writeConnection = nil }
            throw JournalError(path: path, error)
        }
    }

    /// What the other nodes must hear of a change: a control change (pauses, resolutions, approvals,
    /// channel states, sessions), a post's row, or nothing.
    private enum Kind {
        case control, post, other
    }

    private func write(_ change: JournalChange, on db: PostgresConnection, now: Date) throws(PostgresError) -> Kind {
        switch change {
        case .upsertPost(let post):
            try db.query("""
                INSERT INTO post (id, file, content_hash, state, scheduled_at, expires_at, accepted_at, finished_at, queued_by,
                    file_inode, file_size, file_mtime_ns, file_owner, origin)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                ON CONFLICT (id) DO UPDATE SET file = excluded.file, content_hash = excluded.content_hash,
                    state = excluded.state, scheduled_at = excluded.scheduled_at, expires_at = excluded.expires_at,
                    finished_at = excluded.finished_at, queued_by = COALESCE(post.queued_by, excluded.queued_by),
                    file_inode = excluded.file_inode, file_size = excluded.file_size, file_mtime_ns = excluded.file_mtime_ns,
                    file_owner = excluded.file_owner, changed_seq = nextval('post_changed_seq_seq')
                WHERE post.origin = excluded.origin
                """, [post.id, post.file, post.contentHash, post.state.rawValue, post.scheduledAt, post.expiresAt, post.acceptedAt,
                      post.finishedAt, post.queuedBy, post.fileSignature.map { Int64(bitPattern: $0.inode) },
                      post.fileSignature.map { Int64($0.size) }, post.fileSignature.map { Int64($0.modifiedNanoseconds) },
                      post.fileSignature.map { Int64($0.owner) }, node])
            if post.state != .pending {
                // Finished: no node delivers it any more; its media need not stay in the database.
                try db.query("DELETE FROM post_media WHERE post_id = $1 AND EXISTS (SELECT 1 FROM post WHERE id = $1 AND origin = $2)",
                             [post.id, node])
            }
            return .post
        case .postSource(let postID, let data, let media):
            // Only the node a post was dropped on writes its content, in the transaction of its row.
            try db.query("DELETE FROM post_media WHERE post_id = $1 AND EXISTS (SELECT 1 FROM post WHERE id = $1 AND origin = $2)",
                         [postID, node])
            for item in media {
                // Read now, one at a time (never a whole batch's media in memory). A file that went or
                // grew past the limit since the post was read is left out: the other nodes then find
                // the post's media incomplete and leave it to this node.
                guard let bytes = try? FileOperations.readRegularFile(item.path, maxSize: SharedMediaFile.maximumBytesPerPost).0 else { continue }
                try db.query("""
                    INSERT INTO post_media (post_id, file, bytes) SELECT $1, $2, $3 FROM post WHERE id = $1 AND origin = $4
                    ON CONFLICT (post_id, file) DO UPDATE SET bytes = excluded.bytes
                    """, [postID, item.file, bytes, node])
            }
            try db.query("""
                UPDATE post SET source = $1, changed_seq = nextval('post_changed_seq_seq') WHERE id = $2 AND origin = $3
                """, [data, postID, node])
            return .post
        case .upsertDelivery(let record):
            try writeDelivery(record, on: db, now: now, insertIfMissing: true)
        case .updateDelivery(let record):
            try writeDelivery(record, on: db, now: now, insertIfMissing: true)
        case .recordSend(let send):
            try db.query("""
                INSERT INTO send_log (channel, at, post_id, delivery_id, text, in_flight, node) VALUES ($1, $2, $3, $4, $5, true, $6)
                ON CONFLICT (delivery_id, at) DO NOTHING
                """, [send.channel, send.at, send.postID, send.deliveryID, send.text, node])
        case .completeSend(let deliveryID, let startedAt, let completedAt):
            try db.query("UPDATE send_log SET at = $1, in_flight = false WHERE delivery_id = $2 AND at = $3",
                         [completedAt, deliveryID, startedAt])
        case .pruneSends(let before):
            try db.query("DELETE FROM send_log WHERE at < $1 AND NOT in_flight", [before])
        case .channelState(let channel, let state):
            try db.query("""
                INSERT INTO channel_state (channel, not_before, consecutive_failures, last_failure_at, open_until, cooldown)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (channel) DO UPDATE SET not_before = excluded.not_before, consecutive_failures = excluded.consecutive_failures,
                    last_failure_at = excluded.last_failure_at, open_until = excluded.open_until, cooldown = excluded.cooldown
                """, [channel, state.notBefore, state.consecutiveFailures, state.lastFailureAt, state.openUntil, state.cooldown])
            return .control
        case .storeSession(let channel, let session):
            try db.query("""
                INSERT INTO channel_session (channel, session, updated_at) VALUES ($1, $2, $3)
                ON CONFLICT (channel) DO UPDATE SET session = excluded.session, updated_at = excluded.updated_at
                """, [channel, ChannelSessionCoding.encode(session), now])
            return .control
        case .approval(let record):
            try db.query("""
                INSERT INTO approval (post_id, channel, state, content_hash, actor, at, note, planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (post_id, channel) DO UPDATE SET state = excluded.state, content_hash = excluded.content_hash,
                    actor = excluded.actor, at = excluded.at, note = excluded.note, planned_at = excluded.planned_at
                """, [record.postID, record.channel, record.state.rawValue, record.contentHash, record.actor, record.at, record.note,
                      record.plannedAt])
            return .control
        case .dropApprovals(let postID):
            try db.query("DELETE FROM approval WHERE post_id = $1", [postID])
        case .history(let event):
            try db.query("INSERT INTO event_log (at, post_id, channel, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                         [event.at, event.postID, event.channel, event.actor, event.action, event.detail])
        case .closeBreaker(let channel):
            try db.query("""
                UPDATE channel_state SET open_until = NULL, cooldown = 0, consecutive_failures = 0, last_failure_at = NULL
                WHERE channel = $1
                """, [channel])
            return .control
        case .pause(let record):
            try db.query("""
                INSERT INTO pause (scope, reason, paused_by, paused_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (scope) DO UPDATE SET reason = excluded.reason, paused_by = excluded.paused_by, paused_at = excluded.paused_at
                """, [record.scope, record.reason, record.pausedBy, record.pausedAt])
            return .control
        case .resume(let scope):
            if scope == "*" {
                try db.query("DELETE FROM pause")
            } else {
                try db.query("DELETE FROM pause WHERE scope = $1", [scope])
            }
            return .control
        case .resolution(let resolution):
            try db.query("""
                INSERT INTO resolution (delivery_id, post_id, channel, part, sent, remote_url, resolved_by, resolved_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (delivery_id) DO UPDATE SET sent = excluded.sent, remote_url = excluded.remote_url,
                    resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at
                """, [resolution.deliveryID, resolution.key.post, resolution.key.channel, resolution.key.part, resolution.sent,
                      resolution.remoteURL, resolution.resolvedBy, resolution.resolvedAt])
            return .control
        case .resolutionApplied(let deliveryID):
            try db.query("DELETE FROM resolution WHERE delivery_id = $1", [deliveryID])
        }
        return .other
    }

    /// Updates a delivery, or inserts it if it is new. Two guards make several nodes safe: a
    /// delivery that was `sent` is never changed again (whoever writes a stale state of it), and one
    /// that another node holds under a live lease is left to that node. A final state releases this
    /// node's claim.
    private func writeDelivery(_ record: DeliveryRecord, on db: PostgresConnection, now: Date, insertIfMissing: Bool) throws(PostgresError) {
        let progress = record.progress.isStart ? nil : DeliveryProgressCoding.encode(record.progress)
        let state: [(any PostgresEncodable)?] = [record.status.rawValue, record.attempts, record.dueAt, record.finishedAt, record.httpStatus,
                                                  record.error, record.remote?.id, record.remote?.url, progress]
        let updated = try db.query("""
            UPDATE delivery SET status = $1, attempts = $2, due_at = $3, finished_at = $4, http_status = $5, error = $6,
                remote_id = $7, remote_url = $8, progress = $9,
                claimed_by = CASE WHEN $1 IN ('pending', 'unknown') THEN claimed_by END,
                lease_until = CASE WHEN $1 IN ('pending', 'unknown') THEN lease_until END
            WHERE id = $10 AND (status <> 'sent' OR $1 = 'sent')
                AND (claimed_by IS NULL OR claimed_by = $11 OR lease_until < $12)
            RETURNING 1
            """, state + [record.id, node, now])
        guard updated.isEmpty, insertIfMissing else { return }
        try db.query("""
            INSERT INTO delivery (status, attempts, due_at, finished_at, http_status, error, remote_id, remote_url, progress,
                id, post_id, channel, part)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT DO NOTHING
            """, state + [record.id, record.key.post, record.key.channel, record.key.part])
    }

    // MARK: Reading

    /// Runs `body` on the read connection (made again if it broke). libpq learns that a connection
    /// was cut (a server restart, a terminated session) only when it next uses it, so a read that
    /// breaks a connection kept from before is made once more on a new one: reads are safe to
    /// repeat, and callers take a failed read for an empty answer (no pauses, no approvals).
    func read<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(JournalError) -> T {
        readLock.lock()
        defer { readLock.unlock() }
        do {
            if let existing = readConnection, existing.isUsable {
                do {
                    return try body(existing)
                } catch where !existing.isUsable {
                    readConnection = nil
                }
            }
            readConnection = nil
            let connection = try connector.connect()
            readConnection = connection
            return try body(connection)
        } catch {
            if !(readConnection?.isUsable ?? false) { readConnection = nil }
            throw JournalError(path: path, error)
        }
    }

    public func unfinishedPosts() throws(JournalError) -> [(JournalPost, [DeliveryRecord])] {
        try read { db throws(PostgresError) in
            var result: [(JournalPost, [DeliveryRecord])] = []
            var index: [String: Int] = [:]
            for row in try db.query("SELECT \(Self.postColumns) FROM post WHERE state = 'pending' AND origin = $1 ORDER BY id", [node]) {
                let post = Self.post(row)
                index[post.id] = result.count
                result.append((post, []))
            }
            for row in try db.query("""
                SELECT \(Self.deliveryColumns("d.")) FROM delivery d JOIN post p ON p.id = d.post_id
                WHERE p.state = 'pending' AND p.origin = $1
                """, [node]) {
                let record = Self.delivery(row)
                if let position = index[record.key.post] { result[position].1.append(record) }
            }
            return result
        }
    }

    public func unfinishedSchedule() throws(JournalError) -> [ScheduledPost] {
        try read { db throws(PostgresError) in
            try db.query("""
                SELECT p.id, p.file, p.content_hash, p.file_inode, p.file_size, p.file_mtime_ns, p.file_owner,
                    MIN(CASE WHEN d.status = 'pending' THEN d.due_at END),
                    COUNT(*) FILTER (WHERE d.status = 'pending'),
                    COUNT(*) FILTER (WHERE d.status = 'unknown' OR (d.status = 'pending' AND d.progress IS NOT NULL))
                FROM post p LEFT JOIN delivery d ON d.post_id = p.id
                WHERE p.state = 'pending' AND p.origin = $1 GROUP BY p.id ORDER BY p.id
                """, [node]).map { row in
                ScheduledPost(id: row.string(0), file: row.string(1), contentHash: row.string(2), fileSignature: Self.fileSignature(row, at: 3),
                              earliestPendingDue: row.date(7), pendingDeliveries: row.int(8) ?? 0, inDoubt: (row.int(9) ?? 0) > 0)
            }
        }
    }

    public func pendingDues(channel: String) throws(JournalError) -> [Date] {
        try read { db throws(PostgresError) in
            try db.query("""
                SELECT d.due_at FROM delivery d JOIN post p ON p.id = d.post_id
                WHERE p.state = 'pending' AND d.status = 'pending' AND d.channel = $1 AND d.due_at IS NOT NULL
                """, [channel]).compactMap { $0.date(0) }
        }
    }

    public func posts(ids: [String]) throws(JournalError) -> [String: (JournalPost, [DeliveryRecord])] {
        guard !ids.isEmpty else { return [:] }
        return try read { db throws(PostgresError) in
            var found: [String: (JournalPost, [DeliveryRecord])] = [:]
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Self.textArray(Array(ids[start..<min(start + 500, ids.count)]))
                for row in try db.query("SELECT \(Self.postColumns) FROM post WHERE id = ANY($1::text[])", [chunk]) {
                    let post = Self.post(row)
                    found[post.id] = (post, [])
                }
                for row in try db.query("SELECT \(Self.deliveryColumns()) FROM delivery WHERE post_id = ANY($1::text[])", [chunk]) {
                    let record = Self.delivery(row)
                    found[record.key.post]?.1.append(record)
                }
            }
            return found
        }
    }

    public func post(id: String) throws(JournalError) -> (JournalPost, [DeliveryRecord])? {
        try read { db throws(PostgresError) in
            guard let row = try db.query("SELECT \(Self.postColumns) FROM post WHERE id = $1", [id]).first else { return nil }
            let records = try db.query("SELECT \(Self.deliveryColumns()) FROM delivery WHERE post_id = $1 ORDER BY channel, part", [id])
                .map(Self.delivery)
            return (Self.post(row), records)
        }
    }

    public func sends(since: Date) throws(JournalError) -> [String: [SendRecord]] {
        try read { db throws(PostgresError) in
            var result: [String: [SendRecord]] = [:]
            for row in try db.query("SELECT channel, at, post_id, delivery_id, text FROM send_log WHERE at >= $1 ORDER BY at", [since]) {
                let record = SendRecord(channel: row.string(0), at: row.date(1) ?? since, postID: row.string(2), deliveryID: row.string(3),
                                        text: row.string(4))
                result[record.channel, default: []].append(record)
            }
            return result
        }
    }

    public func channelStates() throws(JournalError) -> [String: ChannelState] {
        try read { db throws(PostgresError) in
            var result: [String: ChannelState] = [:]
            for row in try db.query("""
                SELECT channel, not_before, consecutive_failures, last_failure_at, open_until, cooldown FROM channel_state
                """) {
                result[row.string(0)] = ChannelState(notBefore: row.date(1), consecutiveFailures: row.int(2) ?? 0, lastFailureAt: row.date(3),
                                                     openUntil: row.date(4), cooldown: row.double(5) ?? 0)
            }
            return result
        }
    }

    public func pauses() throws(JournalError) -> [String: PauseRecord] {
        try read { db throws(PostgresError) in
            var result: [String: PauseRecord] = [:]
            for row in try db.query("SELECT scope, reason, paused_by, paused_at FROM pause") {
                let record = PauseRecord(scope: row.string(0), reason: row.string(1), pausedBy: row.string(2), pausedAt: row.date(3) ?? Date())
                result[record.scope] = record
            }
            return result
        }
    }

    public func resolutions() throws(JournalError) -> [Resolution] {
        try read { db throws(PostgresError) in
            try db.query("""
                SELECT delivery_id, post_id, channel, part, sent, remote_url, resolved_by, resolved_at FROM resolution ORDER BY resolved_at
                """).map { row in
                Resolution(deliveryID: row.string(0), key: DeliveryKey(post: row.string(1), channel: row.string(2), part: row.int(3) ?? 1),
                           sent: row.bool(4), remoteURL: row[5], resolvedBy: row.string(6), resolvedAt: row.date(7) ?? Date())
            }
        }
    }

    public func sessions() throws(JournalError) -> [String: ChannelSession] {
        try read { db throws(PostgresError) in
            var result: [String: ChannelSession] = [:]
            for row in try db.query("SELECT channel, session FROM channel_session") {
                if let session = ChannelSessionCoding.decode(row.string(1)) { result[row.string(0)] = session }
            }
            return result
        }
    }

    public func approvals() throws(JournalError) -> [ApprovalRecord] {
        try read { db throws(PostgresError) in
            try db.query("""
                SELECT post_id, channel, state, content_hash, actor, at, note, planned_at FROM approval ORDER BY post_id, channel
                """).map { row in
                ApprovalRecord(postID: row.string(0), channel: row.string(1), state: ApprovalRecord.State(rawValue: row.string(2)) ?? .pending,
                               contentHash: row.string(3), actor: row[4], at: row.date(5) ?? Date(), note: row[6], plannedAt: row.date(7))
            }
        }
    }

    public func history(postID: String?, since: Date?, limit: Int) throws(JournalError) -> [HistoryEvent] {
        var conditions: [String] = []
        var parameters: [(any PostgresEncodable)?] = []
        if let postID {
            parameters.append(postID)
            conditions.append("post_id = $\(parameters.count)")
        }
        if let since {
            parameters.append(since)
            conditions.append("at >= $\(parameters.count)")
        }
        parameters.append(max(1, limit))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT at, post_id, channel, actor, action, detail FROM event_log \(filter) ORDER BY at DESC, id DESC LIMIT $\(parameters.count)"
        let arguments = parameters
        return try read { db throws(PostgresError) in
            try db.query(sql, arguments).reversed().map { row in
                HistoryEvent(at: row.date(0) ?? Date(), postID: row[1], channel: row[2], actor: row.string(3), action: row.string(4),
                             detail: row[5])
            }
        }
    }

    // MARK: Reports

    public func postCounts() throws(JournalError) -> [JournalPost.State: Int] {
        try read { db throws(PostgresError) in
            var counts: [JournalPost.State: Int] = [:]
            for row in try db.query("SELECT state, COUNT(*) FROM post GROUP BY state") {
                if let state = JournalPost.State(rawValue: row.string(0)) { counts[state] = row.int(1) ?? 0 }
            }
            return counts
        }
    }

    public func nextDuePerChannel() throws(JournalError) -> [String: Date] {
        try read { db throws(PostgresError) in
            var result: [String: Date] = [:]
            for row in try db.query("""
                SELECT d.channel, MIN(d.due_at) FROM delivery d JOIN post p ON p.id = d.post_id
                WHERE d.status = 'pending' AND p.state = 'pending' GROUP BY d.channel
                """) {
                if let due = row.date(1) { result[row.string(0)] = due }
            }
            return result
        }
    }

    public func recentFailures(limit: Int) throws(JournalError) -> [DeliveryRecord] {
        try read { db throws(PostgresError) in
            try db.query("""
                SELECT \(Self.deliveryColumns()) FROM delivery WHERE status IN ('failed', 'expired') ORDER BY finished_at DESC LIMIT $1
                """, [limit]).map(Self.delivery)
        }
    }

    public func unknownDeliveries() throws(JournalError) -> [DeliveryRecord] {
        try read { db throws(PostgresError) in
            try db.query("""
                SELECT \(Self.deliveryColumns("d.")) FROM delivery d JOIN post p ON p.id = d.post_id
                WHERE d.status = 'unknown' AND p.state = 'pending' ORDER BY d.post_id, d.channel, d.part
                """).map(Self.delivery)
        }
    }

    // MARK: Rows

    static let postColumns = """
        id, file, content_hash, state, scheduled_at, expires_at, accepted_at, finished_at, queued_by, \
        file_inode, file_size, file_mtime_ns, file_owner, origin
        """

    static func deliveryColumns(_ prefix: String = "") -> String {
        ["id", "post_id", "channel", "part", "status", "attempts", "due_at", "finished_at", "http_status", "error", "remote_id",
         "remote_url", "progress"].map { prefix + $0 }.joined(separator: ", ")
    }

    private static func fileSignature(_ row: PostgresRow, at index: Int) -> FileSignature? {
        guard let inode = row.int64(index), let size = row.int64(index + 1), let modified = row.int64(index + 2),
              let owner = row.int64(index + 3) else { return nil }
        return FileSignature(regularFileInode: UInt64(bitPattern: inode), size: size, modifiedNanoseconds: modified,
                             owner: UInt32(truncatingIfNeeded: owner))
    }

    static func post(_ row: PostgresRow) -> JournalPost {
        var post = JournalPost(id: row.string(0), file: row.string(1), contentHash: row.string(2),
                               state: JournalPost.State(rawValue: row.string(3)) ?? .pending, scheduledAt: row.date(4) ?? Date(),
                               expiresAt: row.date(5), acceptedAt: row.date(6) ?? Date(), finishedAt: row.date(7), queuedBy: row[8],
                               fileSignature: fileSignature(row, at: 9))
        post.origin = row[13]
        return post
    }

    static func delivery(_ row: PostgresRow) -> DeliveryRecord {
        let remoteID = row[10]
        let remoteURL = row[11]
        return DeliveryRecord(
            id: row.string(0), key: DeliveryKey(post: row.string(1), channel: row.string(2), part: row.int(3) ?? 1),
            status: DeliveryStatus(rawValue: row.string(4)) ?? .pending, attempts: row.int(5) ?? 0,
            dueAt: row.date(6), finishedAt: row.date(7), httpStatus: row.int(8), error: row[9],
            remote: remoteID == nil && remoteURL == nil ? nil : RemoteReference(id: remoteID, url: remoteURL),
            progress: row[12].map(DeliveryProgressCoding.decodeOrHold) ?? .start)
    }

    /// A text[] literal of `values` (`{"a","b"}`), quoted so any id is taken as it is.
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
