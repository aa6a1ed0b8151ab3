import CrierCore
import Foundation

/// The `ClusterCoordinator` of `store: postgres`: claims with leases (`SELECT … FOR UPDATE` on the
/// delivery row; a per-channel advisory lock around the throttle check and reservation, so two nodes
/// never both take the last slot of a window), the node's heartbeat and lease renewal, and a
/// listener for `NOTIFY crier_control` / `crier_post` with a once-a-second poll behind it.
///
/// Claims and the heartbeat share one connection under `lock`; the listener has its own, on its own
/// thread. A lost connection is made again at the next use; until then claims answer `unavailable`.
public final class PostgresCluster: ClusterCoordinator, @unchecked Sendable {
    public let node: String
    public let lease: TimeInterval
    private let connector: PostgresConnector
    // Confinement: `connection` under `lock`; the listener's state on its thread; `timer`, `callbacks`
    // and `running` under `stateLock`.
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private let stateLock = NSLock()
    private var timer: DispatchSourceTimer?
    private var running = false
    private var listener: Thread?
    private let timerQueue = DispatchQueue(label: "crier.cluster.heartbeat")

    public init(connector: PostgresConnector, node: String, lease: TimeInterval) {
        self.connector = connector
        self.node = node
        self.lease = lease
    }

    /// Runs `body` on the claims connection (made again if it broke).
    private func withConnection<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(PostgresError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let db: PostgresConnection
        if let existing = connection, existing.isUsable {
            db = existing
        } else {
            connection = nil
            db = try connector.connect()
            connection = db
        }
        do {
            return try body(db)
        } catch {
            if !db.isUsable { connection = nil }
            throw error
        }
    }

    // MARK: Claims

    public func claim(_ claim: SendClaim) -> SendClaim.Answer {
        do {
            return try withConnection { db throws(PostgresError) in
                try db.transaction { () throws(PostgresError) in try self.claim(claim, on: db) }
            }
        } catch {
            return .unavailable("\(connector.displayURL): \(error)")
        }
    }

    private func claim(_ claim: SendClaim, on db: PostgresConnection) throws(PostgresError) -> SendClaim.Answer {
        let record = claim.record
        let now = claim.now
        if let reservation = claim.reservation {
            try db.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", ["crier channel " + reservation.send.channel])
        }
        guard let row = try db.query("""
            SELECT \(PostgresJournal.deliveryColumns("d.")), d.claimed_by, d.lease_until, p.content_hash
            FROM delivery d JOIN post p ON p.id = d.post_id WHERE d.id = $1 FOR UPDATE OF d
            """, [record.id]).first else {
            return .changed(nil, contentHash: nil)
        }
        let stored = PostgresJournal.delivery(row)
        let holder = row[13]
        let leaseUntil = row.date(14)
        let hash = row[15]
        if hash != claim.contentHash { return .changed(stored, contentHash: hash) }
        if stored.status != record.status || stored.attempts != record.attempts || stored.progress != record.progress {
            return .changed(stored, contentHash: hash)
        }
        if let holder, holder != node, let leaseUntil, leaseUntil >= now {
            // Held by a live node: look again when its lease would run out, or sooner (it may finish).
            return .later(until: min(leaseUntil, now.addingTimeInterval(2)), reason: "claimed by node \(holder)")
        }
        if let reservation = claim.reservation, let answer = try reserve(reservation, key: record.key, on: db, now: now) {
            return answer
        }
        try db.query("UPDATE delivery SET claimed_by = $1, lease_until = $2 WHERE id = $3", [node, now.addingTimeInterval(lease), record.id])
        return .granted
    }

    /// Checks the channel's limits, its near-duplicate guard and its breaker against every node's
    /// sends and, if the send may go, records it (in flight) in the same transaction. Nil: reserved.
    private func reserve(_ reservation: SendClaim.Reservation, key: DeliveryKey, on db: PostgresConnection,
                         now: Date) throws(PostgresError) -> SendClaim.Answer? {
        let channel = reservation.send.channel
        let gate = ChannelGate(name: channel, limits: reservation.limits, duplicates: reservation.duplicates, timeZone: reservation.timeZone)
        if let state = try db.query("""
            SELECT not_before, consecutive_failures, last_failure_at, open_until, cooldown FROM channel_state WHERE channel = $1
            """, [channel]).first {
            gate.state = ChannelState(notBefore: state.date(0), consecutiveFailures: state.int(1) ?? 0, lastFailureAt: state.date(2),
                                      openUntil: state.date(3), cooldown: state.double(4) ?? 0)
        }
        if let openUntil = gate.state.openUntil, openUntil > now {
            return .channelLater(until: openUntil, reason: "circuit breaker open")
        }
        let since = now.addingTimeInterval(-max(gate.memory, lease))
        for send in try db.query("""
            SELECT at, post_id, delivery_id, text, in_flight FROM send_log WHERE channel = $1 AND at >= $2 ORDER BY at
            """, [channel, since]) {
            let at = send.date(0) ?? now
            gate.history.append(SendRecord(channel: channel, at: at, postID: send.string(1), deliveryID: send.string(2), text: send.string(3)))
            // A send still in flight counts as happening now — unless its node went quiet for a lease.
            if send.bool(4), at >= now.addingTimeInterval(-lease) { gate.outstanding.insert(send.string(2)) }
        }
        switch gate.admission(of: key, text: reservation.send.text, now: now) {
        case .go, .goDespiteDuplicate, .waitForRoom:
            break
        case .later(let until, let reason):
            return .channelLater(until: until, reason: "\(reason) (all nodes)")
        case .holdDuplicate(let until, let reason):
            // This post's text, not the channel: the others may go.
            return .later(until: until, reason: "\(reason) (all nodes)")
        }
        let send = reservation.send
        try db.query("""
            INSERT INTO send_log (channel, at, post_id, delivery_id, text, in_flight, node) VALUES ($1, $2, $3, $4, $5, true, $6)
            ON CONFLICT (delivery_id, at) DO NOTHING
            """, [send.channel, send.at, send.postID, send.deliveryID, send.text, node])
        return nil
    }

    // MARK: Other nodes' posts

    public func remotePosts(after watermark: Int64) throws(JournalError) -> (posts: [RemotePost], watermark: Int64) {
        do {
            return try withConnection { db throws(PostgresError) in
                var latest = watermark
                var found: [RemotePost] = []
                for row in try db.query("""
                    SELECT p.id, p.file, p.content_hash, p.origin, p.state = 'pending', p.changed_seq,
                        MIN(CASE WHEN d.status = 'pending' THEN d.due_at END),
                        COUNT(*) FILTER (WHERE d.status = 'pending')
                    FROM post p LEFT JOIN delivery d ON d.post_id = p.id
                    WHERE p.changed_seq > $1 AND p.origin <> $2 AND p.source IS NOT NULL
                    GROUP BY p.id ORDER BY p.changed_seq LIMIT 5000
                    """, [watermark, node]) {
                    latest = max(latest, row.int64(5) ?? latest)
                    found.append(RemotePost(id: row.string(0), file: row.string(1), contentHash: row.string(2), origin: row.string(3),
                                            pending: row.bool(4), earliestPendingDue: row.date(6), pendingDeliveries: row.int(7) ?? 0))
                }
                return (found, latest)
            }
        } catch {
            throw JournalError(path: connector.displayURL, error)
        }
    }

    public func content(ofPost id: String) throws(JournalError) -> SharedPostContent? {
        do {
            // One snapshot: an edit on the node the post was dropped on replaces source and media at once.
            return try withConnection { db throws(PostgresError) in
                try db.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { () throws(PostgresError) -> SharedPostContent? in
                    guard let source = try db.queryBytes("SELECT source FROM post WHERE id = $1", [id]).first?[0] else { return nil }
                    let media = try db.queryBytes("SELECT file, bytes FROM post_media WHERE post_id = $1 ORDER BY file COLLATE \"C\"", [id])
                        .map { StoredMediaFile(file: String(decoding: $0[0] ?? Data(), as: UTF8.self), bytes: $0[1] ?? Data()) }
                    return SharedPostContent(source: source, media: media)
                }
            }
        } catch {
            throw JournalError(path: connector.displayURL, error)
        }
    }

    // MARK: Heartbeat, leases, notifications

    public func start(queueRoot: String, onControl: @escaping @Sendable () -> Void, onPosts: @escaping @Sendable () -> Void,
                      onHealth: @escaping @Sendable (String?) -> Void) {
        stateLock.lock()
        defer { stateLock.unlock() }
        guard !running else { return }
        running = true
        let started = Date()
        let timer = DispatchSource.makeTimerSource(queue: timerQueue)
        var failing = false
        timer.schedule(deadline: .now(), repeating: max(0.5, lease / 3), leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            do {
                try self.heartbeat(queueRoot: queueRoot, started: started)
                if failing {
                    failing = false
                    onHealth(nil)
                }
            } catch {
                failing = true
                onHealth("\(self.connector.displayURL): \(error)")
            }
        }
        timer.resume()
        self.timer = timer
        let thread = Thread { [weak self] in self?.listen(onControl: onControl, onPosts: onPosts) }
        thread.name = "crier.cluster.listener"
        thread.start()
        listener = thread
    }

    public func stop() {
        stateLock.lock()
        let wasRunning = running
        running = false
        timer?.cancel()
        timer = nil
        stateLock.unlock()
        guard wasRunning else { return }
        // Best effort: `crier status` then shows the node as stopped rather than silent. Its leases
        // run out by themselves (what it abandoned is taken over once they do).
        // On the timer's queue: after a heartbeat that may be under way, never before it.
        timerQueue.sync {
            try? withConnection { db throws(PostgresError) in
                try db.query("UPDATE node SET connected = false, heartbeat_at = $1 WHERE name = $2", [Date(), node])
            }
        }
    }

    private var isRunning: Bool {
        stateLock.lock()
        defer { stateLock.unlock() }
        return running
    }

    /// The node's row (its heartbeat) and the leases of every delivery it holds that is not final.
    private func heartbeat(queueRoot: String, started: Date) throws(PostgresError) {
        let now = Date()
        try withConnection { db throws(PostgresError) in
            try db.transaction { () throws(PostgresError) in
                try db.query("""
                    INSERT INTO node (name, queue, started_at, heartbeat_at) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (name) DO UPDATE SET queue = excluded.queue, started_at = excluded.started_at,
                        heartbeat_at = excluded.heartbeat_at, connected = true
                    """, [node, queueRoot, started, now])
                try db.query("""
                    UPDATE delivery SET lease_until = $1 WHERE claimed_by = $2 AND status IN ('pending', 'unknown')
                    """, [now.addingTimeInterval(lease), node])
            }
        }
    }

    /// The listener thread: `LISTEN` for changes, and a poll of the control version and the post
    /// sequence every second in case a notification was missed (a reconnect, a command that could
    /// not notify).
    private func listen(onControl: @escaping @Sendable () -> Void, onPosts: @escaping @Sendable () -> Void) {
        var db: PostgresConnection?
        var control: Int64?
        var postSequence: Int64?
        var backoff: TimeInterval = 1
        while isRunning {
            do {
                if db == nil || !(db?.isUsable ?? false) {
                    let fresh = try connector.connect()
                    try fresh.listen("crier_control")
                    try fresh.listen("crier_post")
                    db = fresh
                    backoff = 1
                    // Something may have changed while nobody listened.
                    onControl()
                    onPosts()
                }
                guard let db else { continue }
                let names = try db.waitForNotifications(timeout: 1)
                if names.contains("crier_control") { onControl() }
                if names.contains("crier_post") { onPosts() }
                let row = try db.query("SELECT (SELECT version FROM control WHERE id = 1), (SELECT MAX(changed_seq) FROM post)").first
                let version = row?.int64(0)
                let sequence = row?.int64(1)
                if let control, version != control, !names.contains("crier_control") { onControl() }
                if let postSequence, sequence != postSequence, !names.contains("crier_post") { onPosts() }
                control = version
                postSequence = sequence
            } catch {
                db = nil
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 30)
            }
        }
    }
}
