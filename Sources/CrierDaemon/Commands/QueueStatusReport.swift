import CrierCore
import Foundation

/// What `crier status` shows: counts by state, the next send per channel, pause state and recent
/// failures. Read from the journal and the queue directory, so it works while the daemon runs.
public struct QueueStatusReport: Encodable, Sendable {
    public struct Failure: Encodable, Sendable {
        public var post: String
        public var channel: String
        public var part: Int
        public var status: String
        public var at: String?
        public var error: String?
    }

    /// A delivery held as `unknown`: a request that is not safe to repeat went out and no answer
    /// came back. `next` is the command that settles it.
    public struct Unknown: Encodable, Sendable {
        public var post: String
        public var channel: String
        public var part: Int
        public var error: String?
        public var resolving: Bool
        public var next: String
    }

    public var queue: String
    /// Posts waiting to be delivered (files in the queue).
    public var pending: Int
    public var sent: Int
    public var failed: Int
    public var cancelled: Int
    public var rejected: Int
    /// Channel → next due time (ISO 8601 UTC).
    public var nextSend: [String: String]
    public var paused: Bool
    public var pauseReason: String?
    /// Pauses set with `crier pause` (or by the circuit breaker): scope `*` or a channel.
    public var pauses: [PauseRecord]
    public var recentFailures: [Failure]
    /// Deliveries waiting for the operator (`crier resolve`).
    public var unknown: [Unknown]

    enum CodingKeys: String, CodingKey {
        case queue, pending, sent, failed, cancelled, rejected, paused, pauses, unknown
        case nextSend = "next_send"
        case pauseReason = "pause_reason"
        case recentFailures = "recent_failures"
    }

    public static func gather(layout: QueueLayout) throws -> QueueStatusReport {
        func count(_ directory: String, suffix: String) -> Int {
            ((try? FileOperations.listDirectory(directory)) ?? []).filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.count
        }
        let pendingFiles = ((try? FileOperations.listDirectory(layout.root)) ?? []).filter(QueueFileName.isPostCandidate).count
        var nextSend: [String: String] = [:]
        var failures: [Failure] = []
        var pauses: [PauseRecord] = []
        var unknown: [Unknown] = []
        if FileManager.default.fileExists(atPath: layout.journal) {
            let journal = try JournalStore.open(layout)
            let resolving = Set(try journal.resolutions().map(\.deliveryID))
            unknown = try journal.unknownDeliveries().map {
                Unknown(post: $0.key.post, channel: $0.key.channel, part: $0.key.part, error: $0.error, resolving: resolving.contains($0.id),
                        next: "crier resolve \($0.key.post) --channel \($0.key.channel) --sent URL | --not-sent")
            }
            pauses = try journal.pauses().values.sorted { $0.scope < $1.scope }
            for (channel, date) in try journal.nextDuePerChannel() { nextSend[channel] = TimestampFormat.string(date) }
            failures = try journal.recentFailures(limit: 10).map {
                Failure(post: $0.key.post, channel: $0.key.channel, part: $0.key.part, status: $0.status.rawValue,
                        at: $0.finishedAt.map(TimestampFormat.string), error: $0.error)
            }
        }
        let pauseText = (try? String(contentsOfFile: layout.pauseFile, encoding: .utf8))
        return QueueStatusReport(
            queue: layout.root, pending: pendingFiles, sent: count(layout.sent, suffix: ".receipt.json"),
            failed: count(layout.failed, suffix: ".receipt.json"), cancelled: count(layout.cancelled, suffix: ".receipt.json"),
            rejected: count(layout.rejected, suffix: ".error.txt"), nextSend: nextSend,
            paused: FileManager.default.fileExists(atPath: layout.pauseFile) || pauses.contains { $0.scope == "*" },
            pauseReason: pauseText?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty, pauses: pauses,
            recentFailures: failures, unknown: unknown)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
