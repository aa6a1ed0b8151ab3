import CrierCore
import Foundation

/// Far-future posts cost bytes, not kilobytes: a post none of whose deliveries is due within
/// `EngineOptions.loadAhead` keeps only its journal row and delivery records in memory; its parsed
/// content and rendered parts are dropped once it is journaled, and read from its file again half
/// `loadAhead` before it is due, so the send timer only starts transfers. A restart restores every
/// post this way from the journal without reading a file. The file stays the source of the content:
/// one that changed meanwhile is taken as an edit, one that went cancels the post, as when the
/// intake sees it.
extension DeliveryEngine {
    /// Lets the engine unload posts due later than `loadAhead` and read them again (call before
    /// `restore`).
    public func setPostLoader(_ loader: PostLoader) {
        dispatchPrecondition(condition: .onQueue(queue))
        postLoader = loader
    }

    /// The file signatures of the restored posts, as the journal read them: the intake trusts these
    /// files without reading them again.
    public func restoredFileSignatures() -> [String: FileSignature] {
        dispatchPrecondition(condition: .onQueue(queue))
        var signatures: [String: FileSignature] = [:]
        for active in posts.values {
            if let signature = active.journal.fileSignature { signatures[active.journal.file] = signature }
        }
        return signatures
    }

    /// Unloads `active` when none of `ready` (its deliveries that may be scheduled) is due within
    /// `loadAhead`, and notes when to read it again. True if it did: nothing is to be scheduled now.
    func sleepIfFarOff(_ active: ActivePost, ready: [DeliveryKey]) -> Bool {
        guard postLoader != nil, !ready.isEmpty, active.inFlight.isEmpty, active.unjournaled.isEmpty, active.unsavedChanges == 0,
              !active.finalizing, !active.fileRemoved else { return false }
        var earliest = Date.distantFuture
        for key in ready {
            guard let dueAt = active.records[key]?.dueAt else { return false }
            earliest = min(earliest, dueAt)
        }
        guard earliest.timeIntervalSince(clock.now()) > options.loadAhead else { return false }
        active.unload(dormant: true)
        dormantSchedule.push(active.journal.id, at: earliest.addingTimeInterval(-options.loadAhead / 2))
        return true
    }

    /// Reads the dormant posts whose time has come and schedules their deliveries.
    func wakeDormant(now: Date) {
        guard let next = dormantSchedule.next, next <= now else { return }
        for id in dormantSchedule.popDue(now: now) {
            guard let active = posts[id], active.dormant, active.content == nil else { continue }
            if loadContent(active) { scheduleReady(id) }
        }
        dormantSchedule.shrink()
    }

    /// Makes sure the post's content is in memory, reading a dormant post's file again. True if it
    /// is and the post's deliveries stand as they were; false if it cannot be (the file went, was
    /// edited, no longer parses, or the config changed what it renders to) — then the usual path for
    /// that case has been taken, and it schedules whatever follows.
    func loadContent(_ active: ActivePost) -> Bool {
        if active.content != nil { return true }
        guard active.dormant, !active.fileRemoved, let postLoader else { return false }
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
            // Edited while it was unloaded: the edit takes its usual way in.
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
