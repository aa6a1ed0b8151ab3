import CrierCore
import Foundation

/// Far-future posts cost bytes, not kilobytes. A post none of whose deliveries is due within
/// `EngineOptions.loadAhead` is *dormant*: once journaled, the engine drops everything it holds of
/// it but its file name and when it is due (`DormantPost`, `dormantSchedule`); its rows stay in the
/// journal and its content in its file. Half `loadAhead` before it is due, it is woken: its rows are
/// read from the journal and its file is read and rendered again, so the send timer only starts
/// transfers. A restart restores every post from the journal and puts the far ones to sleep at
/// once, without reading a file. The file stays the source of the content: one that changed
/// meanwhile is taken as an edit, one that went cancels the post, as when the intake sees it; an
/// intake event, an approval or a resolution about a dormant post wakes it first.
///
/// Posts with a delivery in doubt (`unknown`, or a step that is not safe to repeat under way) never
/// sleep: the operator's answer must find them.
extension DeliveryEngine {
    /// Lets the engine put posts due later than `loadAhead` to sleep and wake them (call before
    /// `restore`).
    public func setPostLoader(_ loader: PostLoader) {
        dispatchPrecondition(condition: .onQueue(queue))
        postLoader = loader
    }

    /// The file signatures of the posts `restore` found, as the journal has them: the intake trusts
    /// these files without reading them again. (Handed out once.)
    public func restoredFileSignatures() -> [String: FileSignature] {
        dispatchPrecondition(condition: .onQueue(queue))
        defer { restoredSignatures = [:] }
        return restoredSignatures
    }

    /// Puts `active` to sleep when none of `ready` (its deliveries that may be scheduled) is due
    /// within `loadAhead`. True if it did: nothing is to be scheduled now.
    func sleepIfFarOff(_ active: ActivePost, ready: [DeliveryKey]) -> Bool {
        let id = active.journal.id
        guard postLoader != nil, !ready.isEmpty, active.inFlight.isEmpty, active.unjournaled.isEmpty, active.unsavedChanges == 0,
              !active.finalizing, !active.fileRemoved, arrivedWhileFiling[id] == nil, postIDByFile[active.journal.file] == id else { return false }
        var earliest = Date.distantFuture
        for key in ready {
            guard let dueAt = active.records[key]?.dueAt else { return false }
            earliest = min(earliest, dueAt)
        }
        guard earliest.timeIntervalSince(clock.now()) > options.loadAhead else { return false }
        var pending: Int32 = 0
        for record in active.records.values {
            if record.status == .unknown || record.progress.uncertainStep != nil { return false }
            if record.status == .pending { pending += 1 }
        }
        posts[id] = nil
        dormant[id] = DormantPost(file: active.journal.file, hashPrefix: DormantPost.hashPrefix(active.journal.contentHash),
                                  pendingDeliveries: pending)
        dormantPending += Int(pending)
        dormantSchedule.push(id, at: earliest)
        return true
    }

    /// When the next dormant post is to be woken: half `loadAhead` before it is due.
    var nextWake: Date? {
        dormantSchedule.next?.addingTimeInterval(-options.loadAhead / 2)
    }

    /// Wakes the dormant posts whose time has come: reads them and schedules their deliveries.
    func wakeDormant(now: Date) {
        guard let next = nextWake, next <= now else { return }
        let ids = dormantSchedule.popDue(now: now.addingTimeInterval(options.loadAhead / 2)).filter { dormant[$0] != nil }
        dormantSchedule.shrink()
        // One journal read for all of them (posts due together wake together).
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            guard let rows = journalRows(chunk) else { continue }
            for id in chunk {
                guard let active = awaken(id, row: rows[id]) else { continue }
                if loadContent(active) { scheduleReady(id) }
            }
        }
    }

    /// The journal's rows of `ids`; nil if it cannot be read (they stay dormant and are tried again
    /// shortly).
    private func journalRows(_ ids: [String]) -> [String: (JournalPost, [DeliveryRecord])]? {
        do {
            return try journal.posts(ids: ids)
        } catch {
            logger.error("cannot read dormant posts from the journal; trying again shortly",
                         metadata: ["posts": "\(ids.count)", "first": "\(ids.first ?? "")", "error": "\(error)"])
            for id in ids { dormantSchedule.push(id, at: clock.now().addingTimeInterval(5 + options.loadAhead / 2)) }
            return nil
        }
    }

    /// The post `id`, woken from the journal if it is dormant (its content stays in its file until
    /// `loadContent`); nil if the engine does not hold it, or the journal cannot be read (then it
    /// stays dormant and is tried again shortly).
    @discardableResult
    func awaken(_ id: String) -> ActivePost? {
        if let active = posts[id] { return active }
        guard dormant[id] != nil, let rows = journalRows([id]) else { return nil }
        return awaken(id, row: rows[id])
    }

    /// Wakes the dormant post `id` from its journal row (nil: the journal has none).
    private func awaken(_ id: String, row: (JournalPost, [DeliveryRecord])?) -> ActivePost? {
        if let active = posts[id] { return active }
        guard let entry = dormant[id] else { return nil }
        dormant[id] = nil
        dormantPending -= Int(entry.pendingDeliveries)
        guard let (journalPost, records) = row, journalPost.state == .pending else {
            // Not pending in the journal any more (nothing else writes it while this daemon runs).
            if postIDByFile[entry.file] == id { postIDByFile[entry.file] = nil }
            return nil
        }
        let active = ActivePost(journal: journalPost)
        for record in records { active.records[record.key] = record }
        active.contentInFile = true
        posts[id] = active
        return active
    }

    /// Makes sure the post's content is in memory, reading its file again if only the file holds
    /// it. True if it is and the post's deliveries stand as they were; false if it cannot be (the
    /// file went, was edited, no longer parses, or the config changed what it renders to) — then the
    /// usual path for that case has been taken, and it schedules whatever follows.
    func loadContent(_ active: ActivePost) -> Bool {
        if active.content != nil { return true }
        if remotePostIDs.contains(active.journal.id) { return loadRemoteContent(active) }
        guard active.contentInFile, !active.fileRemoved, let postLoader else { return false }
        let id = active.journal.id
        let file = active.journal.file
        switch postLoader.load(file, config: runtime.config) {
        case .post(let parsed)? where parsed.post.id == id && parsed.contentHash == active.journal.contentHash:
            let records = active.records
            let signature = active.journal.fileSignature
            reconcile(active, with: parsed)
            if active.records != records {
                // The config changed since the post was journaled (a channel added or removed, a
                // thread split differently): journaled first, scheduled once durable.
                persist(id, records: Array(active.records.values))
                return false
            }
            if active.journal.fileSignature != signature, !options.dryRun { batch.commit([.upsertPost(active.journal)]) }
            return true
        case .post(let parsed)?:
            // Edited while only its file held it: the edit takes its usual way in.
            let row = posts[parsed.post.id] == nil ? (try? journal.posts(ids: [parsed.post.id]))?[parsed.post.id] : nil
            accept(parsed, journalRow: row)
            return false
        case .invalid(let name, let error)?:
            reject(name: name, error: error)
            return false
        case nil, .gone?, .scanned?, .settling?:
            fileGone(file)
            return false
        }
    }
}
