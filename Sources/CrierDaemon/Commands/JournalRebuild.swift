import CrierCore
import Foundation

/// `crier journal rebuild`: a journal made again from the receipts in `sent/`, `failed/` and
/// `cancelled/`, for a queue whose journal was deleted or damaged. Delivered deliveries keep their
/// ids and status (a post id already sent is refused, as before), and recent sends count against
/// the channels' throttle windows and near-duplicate guard again. Posts still pending in the queue
/// stay pending; what they had sent before the journal was lost is not known (their deliveries get
/// new ids).
public enum JournalRebuild {
    /// What a rebuild found and wrote.
    public struct Summary: Sendable, Equatable {
        public var posts: [JournalPost.State: Int] = [:]
        public var deliveries = 0
        /// Sends within the last two days, restored into the throttle history.
        public var recentSends = 0
        /// Receipts that could not be read, with why.
        public var skipped: [String] = []
        /// Where a journal that was there before was moved to.
        public var replacedJournal: String?
    }

    /// How far back sends still matter to a throttle window or the near-duplicate guard.
    static let historyHorizon: TimeInterval = 2 * 86_400

    /// The receipts in the queue's result directories, when there is no journal to go with them:
    /// starting a daemon then would send again what was sent and forget the throttles.
    public static func orphanedReceipts(in layout: QueueLayout) -> Int {
        guard !layout.journalExists else { return 0 }
        return receiptFiles(in: layout).count
    }

    /// Rebuilds the journal. Refuses while a daemon runs, and — unless `replace` — when a journal
    /// exists (a damaged one is moved aside, never deleted).
    public static func rebuild(layout: QueueLayout, config: CrierConfig?, replace: Bool, now: Date = Date()) throws(DaemonError) -> Summary {
        guard !layout.store.isPostgres else {
            throw DaemonError("`crier journal rebuild` rebuilds the SQLite journal of one queue; this config's journal is the PostgreSQL "
                              + "database \(layout.store.connector?.displayURL ?? ""), which is restored from its backups (pg_dump), not from receipts")
        }
        do {
            try layout.create()
        } catch {
            throw DaemonError("cannot create the queue directories: \(error)")
        }
        let lock = try QueueLock(layout: layout)
        defer { withExtendedLifetime(lock) {} }
        var summary = Summary()
        if FileManager.default.fileExists(atPath: layout.journal) {
            guard replace else {
                throw DaemonError("\(layout.journal) exists; to rebuild it anyway run `crier journal rebuild --replace` (the old file is kept beside it)")
            }
            let aside = layout.journal + ".replaced-" + String(Int(now.timeIntervalSince1970))
            do {
                try FileOperations.move(layout.journal, to: aside)
                for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: layout.journal + suffix) {
                    try FileOperations.move(layout.journal + suffix, to: aside + suffix)
                }
            } catch {
                throw DaemonError("cannot move \(layout.journal) aside: \(error)")
            }
            summary.replacedJournal = aside
        }
        var newest: [String: (post: JournalPost, records: [DeliveryRecord], sends: [SendRecord])] = [:]
        for (path, state) in receiptFiles(in: layout) {
            do {
                let restored = try restore(receiptAt: path, state: state, layout: layout, config: config, now: now)
                if let earlier = newest[restored.post.id], (earlier.post.finishedAt ?? .distantPast) >= (restored.post.finishedAt ?? .distantPast) {
                    continue
                }
                newest[restored.post.id] = restored
            } catch {
                summary.skipped.append("\(path): \(error)")
            }
        }
        var changes: [JournalChange] = []
        for (post, records, sends) in newest.values {
            changes.append(.upsertPost(post))
            changes.append(contentsOf: records.map { .upsertDelivery($0) })
            changes.append(contentsOf: sends.map { .recordSend($0) })
            summary.posts[post.state, default: 0] += 1
            summary.deliveries += records.count
            summary.recentSends += sends.count
        }
        do {
            try JournalStore.open(layout).commitNow(changes)
        } catch {
            throw DaemonError("\(error)")
        }
        return summary
    }

    private static func receiptFiles(in layout: QueueLayout) -> [(path: String, state: JournalPost.State)] {
        var found: [(String, JournalPost.State)] = []
        for (directory, state) in [(layout.sent, JournalPost.State.sent), (layout.failed, .failed), (layout.cancelled, .cancelled)] {
            let names = ((try? FileOperations.listDirectory(directory)) ?? []).filter { $0.hasSuffix(".receipt.json") && !$0.hasPrefix(".") }
            found += names.sorted().map { (directory + "/" + $0, state) }
        }
        return found
    }

    private static func restore(receiptAt path: String, state: JournalPost.State, layout: QueueLayout, config: CrierConfig?,
                                now: Date) throws -> (post: JournalPost, records: [DeliveryRecord], sends: [SendRecord]) {
        let receipt = try JSONDecoder().decode(Receipt.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let directory = (path as NSString).deletingLastPathComponent
        let postFile = directory + "/" + receipt.file
        let content = FileManager.default.contents(atPath: postFile)
        let times = receipt.deliveries.compactMap { $0.at.flatMap(parseTimestamp) }
        let first = times.min() ?? now
        let records = receipt.deliveries.map { delivery in
            DeliveryRecord(id: delivery.id, key: DeliveryKey(post: receipt.post, channel: delivery.channel, part: delivery.part),
                           status: delivery.status, attempts: delivery.attempts, dueAt: nil, finishedAt: delivery.at.flatMap(parseTimestamp) ?? first,
                           httpStatus: delivery.httpStatus, error: delivery.error,
                           remote: delivery.remoteID == nil && delivery.remoteURL == nil ? nil : RemoteReference(id: delivery.remoteID, url: delivery.remoteURL))
        }
        let post = JournalPost(id: receipt.post, file: receipt.file, contentHash: content.map(ContentHash.of) ?? "", state: state,
                               scheduledAt: first, expiresAt: nil, acceptedAt: first, finishedAt: times.max() ?? first)
        var sends: [SendRecord] = []
        let texts = content.flatMap { renderedTexts(of: $0, file: receipt.file, config: config) } ?? [:]
        for record in records where record.status == .sent {
            guard let at = record.finishedAt, now.timeIntervalSince(at) < historyHorizon else { continue }
            sends.append(SendRecord(channel: record.key.channel, at: at, postID: receipt.post, deliveryID: record.id,
                                    text: texts[record.key]?.text ?? ""))
        }
        return (post, records, sends)
    }

    /// Each delivery's text as the renderer makes it now (for the near-duplicate guard); empty
    /// when the post file or the config is gone.
    private static func renderedTexts(of data: Data, file: String, config: CrierConfig?) -> [DeliveryKey: RenderedPart]? {
        guard let config, let post = try? PostParser(timeZone: config.timeZone).parse(data, fileName: file) else { return nil }
        var texts: [DeliveryKey: RenderedPart] = [:]
        for channel in config.channels {
            let variant = PartsPlanner.variant(for: post, channel: channel, defaults: config.defaults)
            for (index, part) in variant.parts.enumerated() { texts[DeliveryKey(post: post.id, channel: channel.name, part: index + 1)] = part }
        }
        return texts
    }

    private static func parseTimestamp(_ text: String) -> Date? {
        // Receipts are crier's own, but a person may have edited one: only a short ASCII stamp
        // reaches Foundation's date parser (which traps on some other text, see RetryAfter).
        guard text.utf8.count <= 40, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
