import CrierCore
import Foundation

/// `crier approve` and `crier reject`: the decision of someone in `approvers.group` about a pending
/// post, recorded in the journal for the daemon (which reacts within a second). An approval is bound
/// to what the approver is shown: the file is read and rendered here, as the daemon renders it, and
/// the approval carries the content hash of each channel's variant; if the file changes before it
/// goes out, the approval no longer matches and the post waits again.
public enum ApprovalCommands {
    /// What was decided on one channel: the parts the approver approved (for the terminal).
    public struct Decided: Sendable {
        public var channel: String
        public var parts: [String]
    }

    /// Approves `postID` on `channel` (every channel of the post that needs approval when nil).
    public static func approve(postID: String, channel: String?, note: String?, config: CrierConfig, layout: QueueLayout,
                               actor: String = CommandActor.current(), now: Date = Date()) throws(DaemonError) -> [Decided] {
        let approvers = try authorize(actor, config: config, doing: "approve")
        let (post, owner, channels) = try pendingPost(postID, channel: channel, config: config, layout: layout)
        if owner == actor, !approvers.selfApproval {
            throw DaemonError("\(actor) dropped post '\(postID)' and cannot approve it too; another member of group \(approvers.group) "
                              + "must (or set `approvers: { self_approval: true }` in crier.yml)")
        }
        var decided: [Decided] = []
        var changes: [JournalChange] = []
        for name in channels {
            guard let channelConfig = config.channel(named: name) else { continue }
            let parts = PartsPlanner.variant(for: post, channel: channelConfig, defaults: config.defaults).parts.map(\.text)
            let hash = ApprovalRule.contentHash(parts: parts, media: post.media)
            let note = note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
            changes.append(.approval(ApprovalRecord(postID: postID, channel: name, state: .approved, contentHash: hash, actor: actor, at: now, note: note)))
            changes.append(.history(HistoryEvent(at: now, postID: postID, channel: name, actor: actor, action: "approved", detail: note)))
            decided.append(Decided(channel: name, parts: parts))
        }
        try record(changes, layout: layout, now: now)
        return decided
    }

    /// Rejects `postID` on `channel` (every channel that needs approval when nil): its deliveries
    /// there are cancelled.
    public static func reject(postID: String, channel: String?, reason: String, config: CrierConfig, layout: QueueLayout,
                              actor: String = CommandActor.current(), now: Date = Date()) throws(DaemonError) -> [String] {
        _ = try authorize(actor, config: config, doing: "reject")
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw DaemonError("say why with --reason TEXT: the author reads it in `crier log`") }
        let (post, _, channels) = try pendingPost(postID, channel: channel, config: config, layout: layout)
        var changes: [JournalChange] = []
        for name in channels {
            guard let channelConfig = config.channel(named: name) else { continue }
            let parts = PartsPlanner.variant(for: post, channel: channelConfig, defaults: config.defaults).parts.map(\.text)
            changes.append(.approval(ApprovalRecord(postID: postID, channel: name, state: .rejected,
                                                    contentHash: ApprovalRule.contentHash(parts: parts, media: post.media),
                                                    actor: actor, at: now, note: reason)))
            changes.append(.history(HistoryEvent(at: now, postID: postID, channel: name, actor: actor, action: "rejected", detail: reason)))
        }
        try record(changes, layout: layout, now: now)
        return channels
    }

    /// The approvers, if `actor` is one of them.
    private static func authorize(_ actor: String, config: CrierConfig, doing verb: String) throws(DaemonError) -> Approvers {
        guard let approvers = config.approvers else {
            throw DaemonError("nobody may \(verb) posts: crier.yml has no `approvers: { group: … }`")
        }
        guard UserDirectory.groupExists(approvers.group) else {
            throw DaemonError("group \(approvers.group) (approvers.group in crier.yml) does not exist; create it (`groupadd \(approvers.group)`) "
                              + "and add the approvers to it")
        }
        guard UserDirectory.isMember(actor, ofGroup: approvers.group) else {
            throw DaemonError("\(actor) may not \(verb) posts: only members of group \(approvers.group) may (approvers.group in crier.yml)")
        }
        return approvers
    }

    /// The pending post as the daemon would read it now, its file's owner, and the channels to decide on.
    private static func pendingPost(_ postID: String, channel: String?, config: CrierConfig,
                                    layout: QueueLayout) throws(DaemonError) -> (Post, String, [String]) {
        guard let name = PostCommands.pendingFile(of: postID, layout: layout, timeZone: config.timeZone) else {
            throw DaemonError("no pending post '\(postID)' in \(layout.root) (see `crier status`)")
        }
        let data: Data
        let signature: FileSignature
        do {
            (data, signature) = try FileOperations.readRegularFile(layout.pending(name), maxSize: PostParser.maximumFileSize)
        } catch {
            throw DaemonError("cannot read \(name): \(error)")
        }
        let post: Post
        let channels: [String]
        do {
            (post, channels) = try PostFileReader.read(data, name: name, config: config, root: layout.root)
        } catch {
            throw DaemonError("\(name) has problems; the daemon rejects it as it is: \(error.problems.map(\.description).joined(separator: "; "))")
        }
        let needing = channels.filter { name in
            config.channel(named: name).map { ApprovalRule.isRequired(post: post, channel: $0, defaults: config.defaults) } ?? false
        }
        if let channel {
            guard channels.contains(channel) else {
                throw DaemonError("post '\(postID)' does not go to channel '\(channel)'; its channels: \(channels.joined(separator: ", "))")
            }
            guard needing.contains(channel) else { throw DaemonError("post '\(postID)' needs no approval on channel '\(channel)'") }
            return (post, UserDirectory.name(ofUID: signature.owner), [channel])
        }
        guard !needing.isEmpty else { throw DaemonError("post '\(postID)' needs no approval on any of its channels") }
        return (post, UserDirectory.name(ofUID: signature.owner), needing)
    }

    private static func record(_ changes: [JournalChange], layout: QueueLayout, now: Date) throws(DaemonError) {
        do {
            try FileOperations.makeDirectory(layout.state, mode: 0o700)
            try JournalStore.open(layout).commitNow(changes)
            try FileOperations.writeAtomically(Data("\(now.timeIntervalSince1970)\n".utf8), to: layout.controlStamp)
        } catch {
            throw DaemonError("cannot record the decision: \(error)")
        }
    }
}
