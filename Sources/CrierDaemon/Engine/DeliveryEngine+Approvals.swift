import CrierCore
import Foundation
import Logging

/// Approvals (`approval: required`): a delivery that needs one is planned as usual but not sent until
/// `crier approve` records an approval of the very variant the engine would send
/// (`ApprovalRule.contentHash`); an edit withdraws it. Also who did what: the engine's lines of the
/// history (`crier log`).
extension DeliveryEngine {
    /// Called by `pump` for a due delivery: true if it may go (no approval needed, approved, or past
    /// its expiry so `start` expires it); otherwise it is held until an approval arrives.
    func approvalAllows(_ key: DeliveryKey, now: Date) -> Bool {
        guard let active = posts[key.post], let hash = active.approvalHashes[key.channel] else { return true }
        if approvals.row(key.post, key.channel)?.approves(hash) == true { return true }
        if let expiresAt = active.journal.expiresAt, now > expiresAt { return true }
        let planned = active.records[key]?.dueAt
        approvals.held.insert(key)
        // Woken by an approval (`update(approvals:)`), or just after the expiry to expire it.
        if let expiresAt = active.journal.expiresAt { due.schedule(key, at: expiresAt.addingTimeInterval(0.001)) }
        let approvers = runtime.config.approvers.map { "group \($0.group)" } ?? "nobody (no `approvers:` in crier.yml)"
        observer?(.held(key, reason: "awaiting approval by \(approvers): crier approve \(key.post) --channel \(key.channel)", until: planned))
        if approvals.alerted.insert(key.post).inserted, !options.dryRun {
            logger.notice("post awaits approval", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "approvers": "\(approvers)"])
            alerts?.post("post '\(key.post)' (\(active.journal.file)) is due on \(key.channel) but awaits approval by \(approvers): "
                         + "`crier approve \(key.post)` or `crier reject \(key.post) --reason TEXT`.", about: key.post)
        }
        return false
    }

    /// After a post was (re)rendered: notes the hash each channel needing approval must be approved
    /// for, and journals a `pending` row where there is no matching approval (an edit withdraws one).
    func planApprovals(_ active: ActivePost, post: Post, now: Date) {
        active.approvalHashes = [:]
        var changes: [JournalChange] = []
        for (channel, parts) in active.parts.sorted(by: { $0.key < $1.key }) {
            guard let config = runtime.config.channel(named: channel),
                  ApprovalRule.isRequired(post: post, channel: config, defaults: runtime.config.defaults) else { continue }
            let hash = ApprovalRule.contentHash(parts: parts.map(\.text), media: post.media)
            active.approvalHashes[channel] = hash
            let row = approvals.row(post.id, channel)
            if let row, row.state == .rejected {
                cancelRejected(row, in: active, now: now)
                continue
            }
            if row?.approves(hash) == true { continue }
            if row?.state == .pending, row?.contentHash == hash { continue }
            if row?.state == .approved {
                changes.append(.history(HistoryEvent(at: now, postID: post.id, channel: channel, actor: "crier", action: "approval-withdrawn",
                                                     detail: "the post changed after \(row?.actor ?? "someone") approved it")))
                logger.notice("approval withdrawn: the post changed", metadata: ["post": "\(post.id)", "channel": "\(channel)"])
            }
            let planned = active.records[DeliveryKey(post: post.id, channel: channel, part: 1)]?.dueAt
            let pending = ApprovalRecord(postID: post.id, channel: channel, state: .pending, contentHash: hash, at: now, plannedAt: planned)
            approvals.set(pending)
            changes.append(.approval(pending))
        }
        if !changes.isEmpty, !options.dryRun { batch.commit(changes) }
    }

    /// Approvals and rejections a command recorded (`crier approve`/`reject`, read on the control
    /// stamp): held deliveries that are now approved go; rejected ones are cancelled.
    public func update(approvals stored: [ApprovalRecord]) {
        dispatchPrecondition(condition: .onQueue(queue))
        let changed = approvals.replace(with: stored)
        let now = clock.now()
        for row in changed where row.state == .rejected {
            guard let active = awaken(row.postID) else { continue }
            for record in cancelRejected(row, in: active, now: now) { finish(record.key, record: record, in: active) }
        }
        for key in approvals.held {
            guard let active = posts[key.post], let hash = active.approvalHashes[key.channel],
                  approvals.row(key.post, key.channel)?.approves(hash) == true else { continue }
            approvals.held.remove(key)
            let dueAt = active.records[key]?.dueAt ?? now
            due.schedule(key, at: max(dueAt, now))
            logger.info("post approved", metadata: ["post": "\(key.post)", "channel": "\(key.channel)"])
        }
        pump()
    }

    /// Cancels the deliveries a rejection covers (those not in flight or in doubt); returns them for
    /// the caller to journal.
    @discardableResult
    private func cancelRejected(_ row: ApprovalRecord, in active: ActivePost, now: Date) -> [DeliveryRecord] {
        var cancelled: [DeliveryRecord] = []
        for (key, var record) in active.records where key.channel == row.channel && record.status == .pending
            && !active.inFlight.contains(key) && record.progress.uncertainStep == nil {
            record.cancel(at: now, reason: "rejected by \(row.actor ?? "an approver"): \(row.note ?? "no reason given")")
            due.cancel(key)
            approvals.held.remove(key)
            active.records[key] = record
            cancelled.append(record)
        }
        if !cancelled.isEmpty {
            logger.info("post rejected", metadata: ["post": "\(row.postID)", "channel": "\(row.channel)", "by": "\(row.actor ?? "-")"])
        }
        return cancelled
    }

    /// The history line for a delivery that just ended (sent, failed, expired, cancelled, unknown).
    func historyOfEnd(_ record: DeliveryRecord, now: Date) -> JournalChange? {
        guard record.status.isFinal || record.status == .unknown else { return nil }
        let detail: String?
        switch record.status {
        case .sent: detail = record.remote?.url ?? record.remote?.id
        default: detail = record.error
        }
        return .history(HistoryEvent(at: now, postID: record.key.post, channel: record.key.channel, actor: "crier",
                                     action: record.status.rawValue, detail: record.key.part > 1 ? "part \(record.key.part): \(detail ?? "")" : detail))
    }

    /// The name of the user owning a post file (cached: the system's user database is not free).
    func ownerName(_ uid: UInt32?) -> String? {
        guard let uid else { return nil }
        if let known = userNames[uid] { return known }
        let name = UserDirectory.name(ofUID: uid)
        userNames[uid] = name
        return name
    }
}
