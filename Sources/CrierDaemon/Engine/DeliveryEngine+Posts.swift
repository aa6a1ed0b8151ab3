import CrierCore
import Foundation
import Logging

/// The engine's side of the queue: posts accepted, edited, rejected, cancelled by deletion, and
/// filed when done. The rule for edits is `DeliveryReconciliation`'s; slots are `SlotBook`'s.
extension DeliveryEngine {
    // MARK: Intake (call on `queue`)

    public func handle(_ events: [IntakeEvent]) {
        dispatchPrecondition(condition: .onQueue(queue))
        var journalRows: [String: (JournalPost, [DeliveryRecord])] = [:]
        let unknownIDs = events.compactMap { event -> String? in
            guard case .post(let parsed) = event, posts[parsed.post.id] == nil, dormant[parsed.post.id] == nil else { return nil }
            return parsed.post.id
        }
        do {
            journalRows = try journal.posts(ids: unknownIDs)
        } catch {
            logger.error("cannot read the journal; these files wait for the next scan", metadata: ["error": "\(error)"])
            return
        }
        // A scan of a large queue hands posts over 256 at a time: one line for the batch, not one
        // per post (100,000 lines for a backlog); a file dropped on its own is still logged alone.
        let batchLog = events.count(where: { if case .post = $0 { return true }; return false }) > Self.acceptedLogBatch
        for event in events {
            switch event {
            case .post(let parsed): accept(parsed, journalRow: journalRows[parsed.post.id], logAlone: !batchLog)
            case .invalid(let name, let error): reject(name: name, error: error)
            case .gone(let name): fileGone(name)
            case .scanned(let present):
                initialScanDone = true
                for file in postIDByFile.keys where !present.contains(file) { fileGone(file) }
                for id in Array(posts.keys) { finalizeIfDone(id) }
            case .settling(let count):
                settlingFiles = count
            }
        }
        if let first = acceptedInBatch.first, let last = acceptedInBatch.last {
            logger.info("posts accepted", metadata: ["count": "\(acceptedInBatch.count)", "first": "\(first)", "last": "\(last)"])
            acceptedInBatch.removeAll()
        }
        pump()
    }

    /// More new posts than this in one intake batch are logged with one line (each at debug level).
    static var acceptedLogBatch: Int { 16 }

    /// - Parameters:
    ///   - journalRow: the journal's row for this post id, looked up for the whole batch.
    ///   - logAlone: log "post accepted" at info level (else at debug: the batch logs one line).
    func accept(_ parsed: ParsedPostFile, journalRow: (JournalPost, [DeliveryRecord])? = nil, logAlone: Bool = true) {
        let id = parsed.post.id
        var journalRow = journalRow
        if let cluster = journal.cluster {
            // A post known as another node's is looked up for its origin (rare: a refusal follows).
            let row = journalRow ?? (remotePostIDs.contains(id) ? (try? journal.post(id: id)) ?? nil : nil)
            let rowOrigin = row?.0.origin.flatMap { $0 == cluster.node ? nil : "node \($0)" }
            let origin = rowOrigin ?? (remotePostIDs.contains(id) ? "another node" : nil)
            if let origin {
                return reject(name: parsed.name, error: PostFileError(file: parsed.name, line: parsed.post.fieldLines["id"], field: "id",
                    message: "post id '\(id)' was dropped on \(origin) sharing this store; edit it there, or give this post another id"))
            }
        }
        if let sleeping = dormant[id] {
            // Read again, unchanged: it sleeps on.
            if sleeping.file == parsed.name, sleeping.hashPrefix == DormantPost.hashPrefix(parsed.contentHash) { return }
            if awaken(id) == nil {
                // The journal could not be read: it sleeps on, and reads its file (this edit) when it wakes.
                guard dormant[id] == nil else { return }
                // No longer pending in the journal: its row decides, as for any post not held here.
                journalRow = journalRow ?? (try? journal.posts(ids: [id]))?[id]
            }
        }
        if let owner = postIDByFile[parsed.name], owner != id {
            // The file's `id:` changed: the old post lost its file.
            fileGone(parsed.name)
        }
        if let active = posts[id] {
            guard active.journal.file == parsed.name else {
                return reject(name: parsed.name, error: PostFileError(file: parsed.name, line: parsed.post.fieldLines["id"], field: "id",
                    message: "post id '\(id)' is already pending as \(active.journal.file); give this post another id"))
            }
            guard !active.finalizing else {
                arrivedWhileFiling[id] = parsed
                return
            }
            if active.hasContent, active.journal.contentHash == parsed.contentHash {
                // Read again with the same content (a `touch`, a journal from before crier kept file
                // signatures): nothing to do but remember the file's signature for the next restart.
                if let signature = parsed.signature, signature != active.journal.fileSignature, !options.dryRun {
                    active.journal.fileSignature = signature
                    batch.commit([.upsertPost(active.journal)])
                }
                return
            }
            let edited = active.hasContent || active.journal.contentHash != parsed.contentHash
            if edited {
                logger.info("post changed", metadata: ["post": "\(id)", "file": "\(parsed.name)"])
                if !options.dryRun {
                    batch.commit([.history(HistoryEvent(at: clock.now(), postID: id, actor: ownerName(parsed.owner) ?? "unknown",
                                                        action: "edited", detail: parsed.name))])
                }
            }
            reconcile(active, with: parsed)
            persist(id, records: Array(active.records.values))
            shareSource(of: parsed)
            return
        }
        let active: ActivePost
        if let (journalPost, records) = journalRow {
            switch journalPost.state {
            case .sent, .failed:
                let hint = journalPost.state == .failed ? "to send its failed channels again run `crier retry \(id)`" : "to post it again give it a new id"
                return reject(name: parsed.name, error: PostFileError(file: parsed.name, line: parsed.post.fieldLines["id"], field: "id",
                    message: "post '\(id)' was already \(journalPost.state.rawValue) (see \(journalPost.state.rawValue)/); \(hint)"))
            case .pending, .cancelled:
                // Pending: re-queued by `crier retry`, or restored. Cancelled: dropped again, so it
                // comes back to life; channels already sent stay sent.
                let restored = ActivePost(journal: journalPost)
                for var record in records {
                    if record.status == .cancelled { record.requeue(at: clock.now()) }
                    restored.records[record.key] = record
                }
                restored.journal.state = .pending
                restored.journal.finishedAt = nil
                restored.journal.file = parsed.name
                active = restored
            }
        } else {
            let now = clock.now()
            active = ActivePost(journal: JournalPost(id: id, file: parsed.name, contentHash: parsed.contentHash, state: .pending,
                                                     scheduledAt: parsed.post.at ?? now, expiresAt: nil, acceptedAt: now,
                                                     queuedBy: ownerName(parsed.owner), fileSignature: parsed.signature))
            if !options.dryRun {
                batch.commit([.history(HistoryEvent(at: now, postID: id, actor: ownerName(parsed.owner) ?? "unknown", action: "queued",
                                                    detail: parsed.name))])
            }
        }
        reconcile(active, with: parsed)
        posts[id] = active
        postIDByFile[parsed.name] = id
        logger.log(level: logAlone ? .info : .debug, "post accepted",
                   metadata: ["post": "\(id)", "file": "\(parsed.name)", "channels": "\(parsed.channels.joined(separator: ","))",
                              "at": "\(TimestampFormat.string(active.journal.scheduledAt))"])
        if !logAlone { acceptedInBatch.append(parsed.name) }
        persist(id, records: Array(active.records.values))
        shareSource(of: parsed)
    }

    /// In a store shared by several daemons, the post's bytes and its media go in beside its row
    /// (after it, in the same order of commits), so any node can deliver it.
    private func shareSource(of parsed: ParsedPostFile) {
        guard journal.cluster != nil, let data = parsed.source, !options.dryRun else { return }
        batch.commit([.postSource(postID: parsed.post.id, data: data, media: parsed.sourceMedia)])
    }

    /// Renders the post for each of its channels and brings its deliveries in line
    /// (`DeliveryReconciliation`).
    func reconcile(_ active: ActivePost, with parsed: ParsedPostFile) {
        let post = parsed.post
        let now = clock.now()
        let previousSchedule = active.journal.scheduledAt
        let wasKnown = active.post != nil || !active.records.isEmpty
        active.fileRemoved = false
        active.journal.contentHash = parsed.contentHash
        if let signature = parsed.signature { active.journal.fileSignature = signature }
        active.journal.scheduledAt = post.at ?? active.journal.acceptedAt
        let rescheduled = !wasKnown || active.journal.scheduledAt != previousSchedule
        let expire = post.expire ?? runtime.config.defaults.expire
        active.journal.expiresAt = expire.map { active.journal.scheduledAt.addingTimeInterval($0) }
        var parts: [String: [RenderedPart]] = [:]
        var channels: [DeliveryReconciliation.ChannelParts] = []
        var variants: [RenderedVariant] = []
        defer { observer?(.accepted(post: post, variants: variants)) }
        for channel in parsed.channels {
            guard let config = runtime.config.channel(named: channel) else { continue }
            let variant = PartsPlanner.variant(for: post, channel: config, defaults: runtime.config.defaults,
                                               session: sessions.session(for: channel))
            variants.append(variant)
            parts[channel] = variant.parts
            channels.append(.init(name: channel, partCount: variant.parts.count,
                                  unsendable: variant.errors.isEmpty ? nil : variant.errors.joined(separator: "; ")))
            for warning in variant.warnings {
                logger.warning("post variant warning", metadata: ["post": "\(post.id)", "channel": "\(channel)", "warning": "\(warning)"])
            }
        }
        active.load(post, parts: parts)
        let base = active.journal.scheduledAt
        let created = DeliveryReconciliation.reconcile(
            records: &active.records, busy: active.inFlight, postID: post.id, channels: channels, rescheduled: rescheduled,
            scheduledAt: base, now: now,
            plannedDue: { key, index in plannedDue(for: key, post: post, index: index, base: base, now: now) },
            newID: { DeliveryID.make(using: &random) })
        active.unjournaled.formUnion(created)
        for (key, record) in active.records where record.status == .unknown {
            // Held for the operator since an earlier run: the preview and the tests see it.
            observer?(.ended(key, status: .unknown, reason: record.error))
        }
        planApprovals(active, post: post, now: now)
    }

    private func plannedDue(for key: DeliveryKey, post: Post, index: Int, base: Date, now: Date) -> Date {
        guard let channel = runtime.config.channel(named: key.channel) else { return base }
        return slots.plannedDue(for: key, post: post, channel: channel, config: runtime.config, index: index, base: base,
                                current: posts[post.id]?.records[key]?.dueAt, now: now) { pendingDues(on: key.channel) }
    }

    /// The due times of the channel's pending deliveries: the journal's (sleeping posts included)
    /// and those of the posts held here not journaled yet.
    func pendingDues(on channel: String) -> [Date] {
        let held = posts.values.flatMap { $0.records.values }.filter { $0.key.channel == channel && $0.status == .pending }.compactMap(\.dueAt)
        let journaled = (try? journal.pendingDues(channel: channel)) ?? []
        return journaled + held
    }

    /// Journals the post and `records`, then (once durable) schedules what may go.
    func persist(_ id: String, records: [DeliveryRecord]) {
        guard let active = posts[id] else { return }
        var changes: [JournalChange] = [.upsertPost(active.journal)]
        changes.append(contentsOf: records.map { .upsertDelivery($0) })
        let journaling = active.unjournaled.intersection(records.map(\.key))
        outstanding += 1
        active.unsavedChanges += 1
        batch.commit(changes) { [weak self] in
            guard let self else { return }
            self.outstanding -= 1
            guard let active = self.posts[id] else { return self.checkIdle() }
            active.unsavedChanges -= 1
            active.unjournaled.subtract(journaling)
            self.scheduleReady(id)
            self.finalizeIfDone(id)
            self.pump()
        }
    }

    /// Schedules the next part of each channel of the post that may go — or, when none is due
    /// within `loadAhead`, unloads the post until shortly before it is (`sleepIfFarOff`).
    func scheduleReady(_ id: String) {
        guard let active = posts[id], active.hasContent, !active.fileRemoved else { return }
        let ready = active.nextPendingParts().filter { !active.inFlight.contains($0) && !active.unjournaled.contains($0) }
        if sleepIfFarOff(active, ready: ready) { return }
        for key in ready {
            if let dueAt = active.records[key]?.dueAt { due.schedule(key, at: dueAt) }
        }
    }

    func reject(name: String, error: PostFileError) {
        logger.error(options.dryRun ? "post file would be rejected" : "post file rejected",
                     metadata: ["file": "\(name)", "reason": "\(error.description)"])
        observer?(.rejected(file: name, error: error))
        if let id = postIDByFile[name] { fileGone(name, reason: "the edited file was rejected", id: id) }
        outstanding += 1
        onMovingOut(name)
        filer.reject(name: name, reason: error.description, on: queue) { [weak self] destination in
            guard let self else { return }
            self.outstanding -= 1
            if let destination {
                self.logger.info(self.options.dryRun ? "rejected file would move" : "rejected file moved",
                                 metadata: ["file": "\(name)", "to": "\(destination)"])
            }
            self.checkIdle()
        }
    }

    /// The post's file left the queue: what has not been sent is cancelled (in-flight deliveries
    /// when they complete, `unknown` ones when the operator resolves them).
    func fileGone(_ name: String, reason: String = "the post file left the queue", id knownID: String? = nil) {
        guard let id = knownID ?? postIDByFile[name], let active = awaken(id), !active.finalizing else { return }
        postIDByFile[name] = nil
        active.fileRemoved = true
        active.unload()
        let now = clock.now()
        var changed: [DeliveryRecord] = []
        for (key, var record) in active.records where record.status == .pending && !active.inFlight.contains(key)
            && record.progress.uncertainStep == nil {
            record.cancel(at: now, reason: "cancelled: \(reason)")
            due.cancel(key)
            active.records[key] = record
            changed.append(record)
        }
        logger.info("post cancelled", metadata: ["post": "\(id)", "file": "\(name)", "reason": "\(reason)"])
        persist(id, records: changed)
    }

    // MARK: Filing

    func finalizeIfDone(_ id: String) {
        guard let active = posts[id], active.readyToFile(initialScanDone: initialScanDone) else { return }
        if active.remote {
            // Its file and receipt are the business of the node it was dropped on.
            forgetRemotePost(id)
            return checkIdle()
        }
        active.finalizing = true
        var approvedBy: [String: String] = [:]
        for channel in active.approvalHashes.keys {
            if let row = approvals.row(id, channel), row.state == .approved, let actor = row.actor { approvedBy[channel] = actor }
        }
        let receipt = Receipt(post: id, file: active.journal.file, records: Array(active.records.values), queuedBy: active.journal.queuedBy,
                              approvedBy: approvedBy)
        let outcome = receipt.outcome
        outstanding += 1
        if !active.fileRemoved { onMovingOut(active.journal.file) }
        filer.file(PostFiler.Finished(fileName: active.journal.file, fileInQueue: !active.fileRemoved, outcome: outcome, receipt: receipt),
                   on: queue) { [weak self] destination in
            guard let self else { return }
            self.filed(id, outcome: outcome, destination: destination)
        }
    }

    private func filed(_ id: String, outcome: PostOutcome, destination: String?) {
        guard let active = posts[id] else { outstanding -= 1; return checkIdle() }
        guard destination != nil || options.dryRun else {
            // The move or the receipt failed (a full disk, say): the post stays unfinished in the
            // journal and is filed again shortly; the filer finishes a half-done job (a post
            // already moved, its receipt missing).
            outstanding -= 1
            active.finalizing = false
            active.filingAttempts += 1
            let delay = min(pow(2, Double(active.filingAttempts - 1)), 30)
            logger.critical("post could not be filed; trying again", metadata: ["post": "\(id)", "in": "\(DurationParser.format(delay))"])
            queue.asyncAfter(deadline: .now() + delay) { [weak self] in self?.finalizeIfDone(id) }
            return checkIdle()
        }
        active.journal.state = JournalPost.State(rawValue: outcome.rawValue) ?? .failed
        active.journal.finishedAt = clock.now()
        // Built inside the log calls (only for a line that is logged), except a failed post's, which
        // also gives its reasons to the alert.
        if outcome == .failed {
            var metadata: Logger.Metadata = ["post": "\(id)", "outcome": "\(outcome.rawValue)", "to": "\(destination ?? "-")"]
            // Only a failed post has reasons to give (kept off the path of every sent post).
            let failures = active.records.values.filter { $0.status == .failed || $0.status == .expired }.sorted { $0.key < $1.key }
            let reasons = failures.map { "\($0.key.channel): \($0.error ?? $0.status.rawValue)" }.joined(separator: "; ")
            metadata["reason"] = "\(reasons)"
            logger.error(options.dryRun ? "post would be filed" : "post finished", metadata: metadata)
            alerts?.post("crier could not deliver post '\(id)' (\(active.journal.file)): \(reasons)", about: id,
                         failingChannel: failures.count == 1 ? failures[0].key.channel : nil)
        } else {
            logger.info(options.dryRun ? "post would be filed" : "post finished",
                        metadata: ["post": "\(id)", "outcome": "\(outcome.rawValue)", "to": "\(destination ?? "-")"])
        }
        let row = active.journal
        if postIDByFile[row.file] == id { postIDByFile[row.file] = nil }
        // The post stays (finalizing) until its final row is durable: a file with its id that
        // arrives meanwhile waits in `arrivedWhileFiling` instead of reading a stale row.
        batch.commit([.upsertPost(row), .dropApprovals(postID: id)]) { [weak self] in
            guard let self else { return }
            self.outstanding -= 1
            self.posts[id] = nil
            self.approvals.forget(post: id)
            if let parsed = self.arrivedWhileFiling.removeValue(forKey: id) { self.handle([.post(parsed)]) }
            self.pump()
        }
    }
}
