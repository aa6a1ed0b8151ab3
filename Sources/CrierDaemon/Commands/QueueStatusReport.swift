import CrierCore
import Foundation
import Glibc

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

    /// A pause set with `crier pause` or by the circuit breaker, as shown: `paused_at` in ISO 8601
    /// UTC like every other time crier prints.
    public struct Pause: Encodable, Sendable {
        /// `*` for everything, else a channel name.
        public var scope: String
        public var reason: String
        public var pausedBy: String
        public var pausedAt: String

        init(_ record: PauseRecord) {
            scope = record.scope
            reason = record.reason
            pausedBy = record.pausedBy
            pausedAt = TimestampFormat.string(record.pausedAt)
        }

        enum CodingKeys: String, CodingKey {
            case scope, reason
            case pausedBy = "paused_by"
            case pausedAt = "paused_at"
        }
    }

    /// A channel whose circuit breaker is open: nothing goes to it until the probe at `probe_at`.
    public struct Breaker: Encodable, Sendable {
        public var channel: String
        public var failures: Int
        public var probeAt: String?
        public var cooldown: Double

        enum CodingKeys: String, CodingKey {
            case channel, failures, cooldown
            case probeAt = "probe_at"
        }
    }

    /// A channel's token (its session, from `crier auth` or a login): when it expires and whether
    /// crier renews it by itself. Never its value.
    public struct Token: Encodable, Sendable {
        public var channel: String
        public var expiresAt: String?
        public var refreshable: Bool
        public var needsRenewal: Bool

        enum CodingKeys: String, CodingKey {
            case channel, refreshable
            case expiresAt = "expires_at"
            case needsRenewal = "needs_renewal"
        }
    }

    /// A post waiting for `crier approve` on a channel.
    public struct AwaitingApproval: Encodable, Sendable {
        public var post: String
        public var channel: String
        public var plannedAt: String?

        enum CodingKeys: String, CodingKey {
            case post, channel
            case plannedAt = "planned_at"
        }
    }

    /// The daemons sharing a PostgreSQL store (`store: postgres`), as this store sees them.
    public struct Cluster: Encodable, Sendable {
        public struct Node: Encodable, Sendable {
            public var name: String
            public var queue: String
            /// `alive` (heard from within the lease), `silent` (not heard from for longer: taken for
            /// dead, its deliveries are taken over) or `stopped` (shut down cleanly).
            public var state: String
            public var startedAt: String
            public var heartbeatAt: String
            /// Deliveries it holds under a lease that has not run out, and the latest of those leases.
            public var claims: Int
            public var leaseUntil: String?
            /// Posts dropped on this node that are not finished.
            public var pendingPosts: Int

            enum CodingKeys: String, CodingKey {
                case name, queue, state, claims
                case startedAt = "started_at"
                case heartbeatAt = "heartbeat_at"
                case leaseUntil = "lease_until"
                case pendingPosts = "pending_posts"
            }
        }

        public var store: String
        /// The node that answered (its `store.node`).
        public var node: String
        public var nodes: [Node]
        /// Channel → deliveries still to go, on every node.
        public var pendingPerChannel: [String: Int]

        enum CodingKeys: String, CodingKey {
            case store, node, nodes
            case pendingPerChannel = "pending_per_channel"
        }

        init(store: String, view: ClusterView, now: Date) {
            self.store = store
            node = view.node
            pendingPerChannel = view.pendingPerChannel
            nodes = view.nodes.map { node in
                Node(name: node.name, queue: node.queue,
                     state: !node.running ? "stopped" : node.isAlive(now: now, lease: view.lease) ? "alive" : "silent",
                     startedAt: TimestampFormat.string(node.startedAt), heartbeatAt: TimestampFormat.string(node.heartbeatAt),
                     claims: node.claims, leaseUntil: node.leaseUntil.map(TimestampFormat.string), pendingPosts: node.pendingPosts)
            }
        }
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
    /// True when everything is paused: `queue/PAUSE` exists, or `crier pause` without channels.
    public var paused: Bool
    /// The text of `queue/PAUSE`, when it has one.
    public var pauseReason: String?
    /// Channels paused on their own (`crier pause CHANNEL`, the circuit breaker), sorted.
    public var pausedChannels: [String]
    /// Pauses set with `crier pause` (or by the circuit breaker): scope `*` or a channel.
    public var pauses: [Pause]
    public var recentFailures: [Failure]
    /// Deliveries waiting for the operator (`crier resolve`).
    public var unknown: [Unknown]
    /// Channels whose circuit breaker is open.
    public var breakers: [Breaker]
    /// Channels with a stored session, sorted.
    public var tokens: [Token]
    /// Posts the daemon holds until someone approves them.
    public var awaitingApproval: [AwaitingApproval]
    /// Free bytes on the queue's file system (the journal's too), when it can be read.
    public var diskFreeBytes: Int64?
    /// What needs looking at that is not a post: little room left for the journal, say.
    public var warnings: [String]
    /// The nodes of a shared store (absent on SQLite).
    public var cluster: Cluster?
    /// Options the printed commands repeat so that they work when pasted (` --config PATH`, as
    /// `crier status` was given them); empty by default, never in the JSON.
    public var commandOptions = ""

    enum CodingKeys: String, CodingKey {
        case queue, pending, sent, failed, cancelled, rejected, paused, pauses, unknown, breakers, warnings, tokens, cluster
        case diskFreeBytes = "disk_free_bytes"
        case awaitingApproval = "awaiting_approval"
        case nextSend = "next_send"
        case pauseReason = "pause_reason"
        case pausedChannels = "paused_channels"
        case recentFailures = "recent_failures"
    }

    /// Below this, `status` warns: a journal write may soon fail.
    static let lowDiskBytes: Int64 = 16 << 20

    public static func gather(layout: QueueLayout) throws -> QueueStatusReport {
        func count(_ directory: String, suffix: String) -> Int {
            ((try? FileOperations.listDirectory(directory)) ?? []).filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.count
        }
        let pendingFiles = ((try? FileOperations.listDirectory(layout.root)) ?? []).filter(QueueFileName.isPostCandidate).count
        var nextSend: [String: String] = [:]
        var failures: [Failure] = []
        var pauses: [PauseRecord] = []
        var unknown: [Unknown] = []
        var breakers: [Breaker] = []
        var tokens: [Token] = []
        var awaiting: [AwaitingApproval] = []
        var tokenWarnings: [String] = []
        var cluster: Cluster?
        if layout.journalExists {
            let journal = try JournalStore.open(layout)
            cluster = try journal.clusterView(now: Date()).map { Cluster(store: journal.path, view: $0, now: Date()) }
            let resolving = Set(try journal.resolutions().map(\.deliveryID))
            unknown = try journal.unknownDeliveries().map {
                Unknown(post: $0.key.post, channel: $0.key.channel, part: $0.key.part, error: $0.error, resolving: resolving.contains($0.id),
                        next: "crier resolve \($0.key.post) --channel \($0.key.channel) --sent URL | --not-sent")
            }
            breakers = try journal.channelStates().filter { $0.value.isOpen }.sorted { $0.key < $1.key }.map {
                Breaker(channel: $0.key, failures: $0.value.consecutiveFailures, probeAt: $0.value.openUntil.map(TimestampFormat.string),
                        cooldown: $0.value.cooldown)
            }
            pauses = try journal.pauses().values.sorted { $0.scope < $1.scope }
            awaiting = try journal.approvals().filter { $0.state == .pending }.map {
                AwaitingApproval(post: $0.postID, channel: $0.channel, plannedAt: $0.plannedAt.map(TimestampFormat.string))
            }
            // Sessions that hold a credential (a login's or `crier auth`'s tokens), not those that only
            // remember what crier learned about the channel (a room id, a server's limits).
            for (channel, session) in try journal.sessions().sorted(by: { $0.key < $1.key })
            where session.values["access_token"] != nil || session.values["refresh_token"] != nil || session.expiresAt != nil {
                tokens.append(Token(channel: channel, expiresAt: session.expiresAt.map(TimestampFormat.string),
                                    refreshable: TokenExpiry.isRefreshable(session), needsRenewal: session.needsRenewal))
                if let warning = TokenExpiry.warning(channel: channel, session: session, now: Date()) { tokenWarnings.append(warning) }
            }
            for (channel, date) in try journal.nextDuePerChannel() { nextSend[channel] = TimestampFormat.string(date) }
            failures = try journal.recentFailures(limit: 10).map {
                Failure(post: $0.key.post, channel: $0.key.channel, part: $0.key.part, status: $0.status.rawValue,
                        at: $0.finishedAt.map(TimestampFormat.string), error: $0.error)
            }
        }
        let pauseText = (try? String(contentsOfFile: layout.pauseFile, encoding: .utf8))
        var fileSystem = statvfs()
        let free: Int64? = statvfs(layout.root, &fileSystem) == 0 ? Int64(fileSystem.f_bavail) * Int64(fileSystem.f_frsize) : nil
        return QueueStatusReport(
            queue: layout.root, pending: pendingFiles, sent: count(layout.sent, suffix: ".receipt.json"),
            failed: count(layout.failed, suffix: ".receipt.json"), cancelled: count(layout.cancelled, suffix: ".receipt.json"),
            rejected: count(layout.rejected, suffix: ".error.txt"), nextSend: nextSend,
            paused: FileManager.default.fileExists(atPath: layout.pauseFile) || pauses.contains { $0.scope == "*" },
            pauseReason: pauseText?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty,
            pausedChannels: pauses.map(\.scope).filter { $0 != "*" }, pauses: pauses.map(Pause.init),
            recentFailures: failures, unknown: unknown, breakers: breakers, tokens: tokens, awaitingApproval: awaiting, diskFreeBytes: free,
            warnings: tokenWarnings + (free.map { $0 < lowDiskBytes ? ["the queue's file system has \($0 / 1024) KiB free: when the journal cannot be written, crier sends nothing until it can; free some space"] : [] } ?? []),
            cluster: cluster)
    }
}

extension QueueStatusReport {
    /// `crier status --json`: keys sorted, times in ISO 8601 UTC (docs/formats.md describes it).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// What `crier status` prints: counts, pause state (everything, or which channels), next sends,
    /// deliveries of unknown outcome and recent failures.
    public var lines: [String] {
        var lines = [
            "queue     \(queue)", "pending   \(pending)", "sent      \(sent)", "failed    \(failed)",
            "cancelled \(cancelled)", "rejected  \(rejected)",
        ]
        if paused {
            let file = pauseReason.map { " (queue/PAUSE: \($0))" } ?? ""
            let channels = pausedChannels.isEmpty ? "" : "; also on their own: \(pausedChannels.joined(separator: ", "))"
            lines.append("paused    everything\(file)\(channels)")
        } else if !pausedChannels.isEmpty {
            lines.append("paused    \(pausedChannels.joined(separator: ", ")) (other channels send)")
        } else {
            lines.append("paused    no")
        }
        for pause in pauses {
            lines.append("  \(pause.scope == "*" ? "everything" : pause.scope) paused by \(pause.pausedBy) at \(pause.pausedAt): \(pause.reason)")
        }
        if !nextSend.isEmpty {
            lines.append("next send")
            for (channel, at) in nextSend.sorted(by: { $0.key < $1.key }) { lines.append("  \(channel)  \(at)") }
        }
        if !unknown.isEmpty {
            lines.append("unknown (a request went out and no answer came back: look on the channel, then resolve)")
            for held in unknown {
                let state = held.resolving ? " [resolution recorded; the daemon applies it]" : ""
                lines.append("  \(held.post) → \(held.channel) (part \(held.part)): \(held.error ?? "no answer")\(state)")
                lines.append("    it is on \(held.channel):  crier resolve \(held.post) --channel \(held.channel) --sent <its URL>\(commandOptions)")
                lines.append("    it is not:      crier resolve \(held.post) --channel \(held.channel) --not-sent\(commandOptions)")
            }
        }
        if !awaitingApproval.isEmpty {
            lines.append("awaiting approval (crier approve POST, or crier reject POST --reason TEXT)")
            for item in awaitingApproval {
                lines.append("  \(item.post) → \(item.channel), planned \(item.plannedAt ?? "-")")
            }
        }
        for breaker in breakers {
            lines.append("breaker   \(breaker.channel) open after \(breaker.failures) failures in a row; one delivery is tried at \(breaker.probeAt ?? "-") "
                         + "(`crier resume \(breaker.channel)` reopens it now)")
        }
        for token in tokens {
            let expiry = token.expiresAt.map { "expires \($0)" } ?? "no expiry known"
            let renewal = token.refreshable ? "renewed automatically" : "not refreshable"
            lines.append("token     \(token.channel): \(expiry), \(renewal)\(token.needsRenewal ? "; refused as expired, being renewed" : "")")
        }
        for warning in warnings { lines.append("warning   \(warning)") }
        if let cluster { lines += cluster.lines }
        if !recentFailures.isEmpty {
            lines.append("recent failures")
            for failure in recentFailures {
                lines.append("  \(failure.at ?? "-")  \(failure.post) → \(failure.channel) (part \(failure.part)) \(failure.status): \(failure.error ?? "")")
            }
        }
        return lines
    }
}

extension QueueStatusReport.Cluster {
    /// The nodes, one line each, and the pending deliveries of every node per channel.
    var lines: [String] {
        var lines = ["cluster   \(nodes.count) node\(nodes.count == 1 ? "" : "s") on \(store) (this node: \(node))"]
        for member in nodes {
            var line = "  \(member.name)  \(member.state), heartbeat \(member.heartbeatAt), started \(member.startedAt)"
            if member.claims > 0 { line += ", holds \(member.claims) deliver\(member.claims == 1 ? "y" : "ies") until \(member.leaseUntil ?? "-")" }
            line += ", \(member.pendingPosts) post\(member.pendingPosts == 1 ? "" : "s") pending from its queue \(member.queue)"
            if member.state == "silent" { line += " (not heard from within its lease: other nodes take its deliveries over)" }
            lines.append(line)
        }
        if !pendingPerChannel.isEmpty {
            lines.append("pending per channel (every node)")
            for (channel, count) in pendingPerChannel.sorted(by: { $0.key < $1.key }) { lines.append("  \(channel)  \(count)") }
        }
        return lines
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
