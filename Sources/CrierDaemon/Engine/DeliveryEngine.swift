import CrierCore
import Foundation
import Logging

/// The scheduler (Postfix's qmgr): owns every unfinished post and delivery, decides what is due,
/// hands requests to the transport, records outcomes in the journal and files finished posts.
/// It never reads post files (the intake does) and never speaks HTTP (the transport does).
///
/// All state lives on `queue`, a serial Dispatch queue; one `WakeupTimer` is armed to the earliest
/// due delivery, so an idle daemon does nothing until the next send is due.
public final class DeliveryEngine: @unchecked Sendable {
    // Confinement: every mutable member is used only on `queue`.
    public let queue: DispatchQueue
    private let journal: Journal
    private let transport: any Transport
    private let filer: PostFiler
    private let clock: any WallClock
    private let timer: any WakeupTimer
    private let options: EngineOptions
    private var logger: Logger
    private var runtime: RuntimeConfig

    private var posts: [String: ActivePost] = [:]
    private var postIDByFile: [String: String] = [:]
    private var due = DueQueue<DeliveryKey>()
    private var inFlight = 0
    private var accepting = true
    /// Journal commits and filings under way; `once` mode is idle only when this is zero.
    private var outstanding = 0
    private var initialScanDone = false
    /// Files the intake is still waiting on; `once` mode is not idle while any remain.
    private var settlingFiles = 0
    private var idleHandler: (@Sendable () -> Void)?
    /// Woken (once) the next time nothing is in flight and nothing is being journaled or filed.
    private var settledWaiters: [@Sendable () -> Void] = []
    /// Told the name of every file the engine moves out of the queue, so the intake does not take
    /// its own moves for a user deleting a post.
    private let onMovingOut: @Sendable (String) -> Void
    /// Pauses from the journal (`crier pause`, circuit breaker) by scope, and `queue/PAUSE`'s text.
    private var pauses: [String: PauseRecord] = [:]
    private var pauseFileReason: String?
    /// Due deliveries held back by a pause; scheduled again (under the throttles) on resume.
    private var parked: Set<DeliveryKey> = []
    /// Per-channel throttle state: history, what answers taught, in-flight count, waiters.
    private var gates: [String: ChannelGate] = [:]
    private var alerts: AlertPoster?
    private var observer: (@Sendable (EngineEvent) -> Void)?
    /// Slot instants already given to a delivery, per channel (built on first use, then kept up to
    /// date as slots are handed out; a slot freed by a cancellation is reused after a restart).
    private var takenSlots: [String: Set<Date>] = [:]
    /// Files that arrived for a post still being filed: handled once the filing is committed.
    private var arrivedWhileFiling: [String: ParsedPostFile] = [:]
    private var random = FastRandom()
    /// Journal changes of the current turn, and what runs when they are durable (see `commit`).
    private var journalBatch: [JournalChange] = []
    private var journalBatchCompletions: [@Sendable (JournalError?) -> Void] = []

    public init(queue: DispatchQueue, runtime: RuntimeConfig, journal: Journal, transport: any Transport,
                filer: PostFiler, clock: any WallClock, timer: any WakeupTimer, options: EngineOptions, logger: Logger,
                onMovingOut: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onMovingOut = onMovingOut
        self.queue = queue
        self.runtime = runtime
        self.journal = journal
        self.transport = transport
        self.filer = filer
        self.clock = clock
        self.timer = timer
        self.options = options
        self.logger = logger
        timer.setHandler { [weak self] in self?.pump() }
        rebuildGates()
    }

    /// Receives an `EngineEvent` for everything the engine decides (call before the engine starts).
    public func setObserver(_ observer: @escaping @Sendable (EngineEvent) -> Void) {
        self.observer = observer
    }

    /// Where alerts go (set by the daemon; tests may leave it nil).
    public func setAlerts(_ poster: AlertPoster?) {
        alerts = poster
    }

    /// One gate per configured channel; history and learned state survive config reloads.
    private func rebuildGates() {
        var next: [String: ChannelGate] = [:]
        for channel in runtime.config.channels {
            let gate = gates[channel.name] ?? ChannelGate(name: channel.name, limits: channel.limits, duplicates: channel.duplicates,
                                                           timeZone: channel.timeZone ?? runtime.config.timeZone)
            gate.limits = channel.limits
            gate.duplicates = channel.duplicates
            gate.timeZone = channel.timeZone ?? runtime.config.timeZone
            next[channel.name] = gate
        }
        gates = next
    }

    // MARK: Lifecycle (call on `queue`)

    /// Loads unfinished posts from the journal. Their deliveries wait until the intake has read their
    /// files (content comes from the file, what was sent from the journal).
    public func restore() throws(JournalError) {
        dispatchPrecondition(condition: .onQueue(queue))
        for (journalPost, records) in try journal.unfinishedPosts() {
            let active = ActivePost(journal: journalPost)
            for record in records { active.records[record.key] = record }
            posts[journalPost.id] = active
            postIDByFile[journalPost.file] = journalPost.id
        }
        let now = clock.now()
        let longest = gates.values.map(\.memory).max() ?? 0
        for (channel, sends) in try journal.sends(since: now.addingTimeInterval(-max(longest, 60))) {
            for send in sends { gates[channel]?.record(send) }
        }
        for (channel, state) in try journal.channelStates() { gates[channel]?.state = state }
        // Older sends matter to no window and no guard any more.
        journal.pruneSends(before: now.addingTimeInterval(-max(longest, 2 * 86_400)))
        if !posts.isEmpty {
            logger.info("journal restored", metadata: ["posts": "\(posts.count)",
                                                       "deliveries": "\(posts.values.reduce(0) { $0 + $1.records.count })"])
        }
    }

    /// Swaps in a reloaded config. Deliveries to channels it no longer has fail when they come due.
    public func update(runtime: RuntimeConfig) {
        dispatchPrecondition(condition: .onQueue(queue))
        self.runtime = runtime
        rebuildGates()
        pump()
    }

    /// Swaps in the current pauses. Deliveries parked by a pause that no longer holds go back in line
    /// at once; the throttles then space them out, so a resume is never a burst.
    public func update(pauses: [String: PauseRecord], pauseFileReason: String?) {
        dispatchPrecondition(condition: .onQueue(queue))
        let wasPaused = !self.pauses.isEmpty || self.pauseFileReason != nil
        for scope in self.pauses.keys where pauses[scope] == nil {
            // A lifted pause (e.g. after the circuit breaker) starts the failure count afresh.
            for name in scope == "*" ? Array(gates.keys) : [scope] where gates[name]?.state.consecutiveFailures ?? 0 > 0 {
                gates[name]?.state.consecutiveFailures = 0
                commit([.channelState(channel: name, gates[name]!.state)])
            }
        }
        self.pauses = pauses
        self.pauseFileReason = pauseFileReason
        let now = clock.now()
        var released = 0
        for key in parked where pauseReason(for: key.channel) == nil {
            parked.remove(key)
            due.schedule(key, at: now)
            released += 1
        }
        if let reason = pauseFileReason {
            logger.warning("paused by queue/PAUSE", metadata: ["reason": "\(reason)"])
        }
        for pause in pauses.values.sorted(by: { $0.scope < $1.scope }) {
            logger.warning("paused", metadata: ["scope": "\(pause.scope)", "by": "\(pause.pausedBy)", "reason": "\(pause.reason)"])
        }
        if wasPaused, pauses.isEmpty, pauseFileReason == nil { logger.notice("resumed", metadata: ["released": "\(released)"]) }
        pump()
    }

    /// Why `channel` must not send now, or nil.
    func pauseReason(for channel: String) -> String? {
        if let pauseFileReason { return "queue/PAUSE: \(pauseFileReason)" }
        if let all = pauses["*"] { return "paused by \(all.pausedBy): \(all.reason)" }
        if let one = pauses[channel] { return "\(channel) paused by \(one.pausedBy): \(one.reason)" }
        return nil
    }

    /// Stops starting transfers; in-flight ones still complete and are recorded.
    public func stopAccepting() {
        dispatchPrecondition(condition: .onQueue(queue))
        accepting = false
        timer.arm(at: nil)
    }

    /// With `once`: `handler` runs (on `queue`) when nothing is in flight, nothing is due within the
    /// horizon and everything is recorded.
    public func onIdle(_ handler: @escaping @Sendable () -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        idleHandler = handler
        checkIdle()
    }

    /// Nothing in flight and nothing being journaled or filed: the state is stable until the timer.
    public var isSettled: Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        return inFlight == 0 && outstanding == 0 && journalBatch.isEmpty && journalBatchCompletions.isEmpty
    }

    /// Blocks (call off the engine's queue) until the intake, the journal and the engine have
    /// nothing left to do: the rule the preview and the tests use before they move a manual clock.
    /// It sleeps until the engine reports itself settled (re-checking now and then, so a missed
    /// report costs a little time, never a hang) instead of polling the queues in a tight loop,
    /// which would take the cores the engine and the journal need.
    public func waitUntilSettled(intakeQueue: DispatchQueue) {
        for _ in 0..<100_000 {
            intakeQueue.sync {}
            journal.waitForPendingCommits()
            let settled = DispatchSemaphore(value: 0)
            let already: Bool = queue.sync {
                if isSettled { return true }
                settledWaiters.append { settled.signal() }
                return false
            }
            if !already { _ = settled.wait(timeout: .now() + .milliseconds(50)) }
            journal.waitForPendingCommits()
            if queue.sync(execute: { isSettled }) {
                intakeQueue.sync {}
                if queue.sync(execute: { isSettled }) { return }
            }
        }
    }

    /// A short summary for status lines (sd_notify STATUS=, logs).
    public func summary() -> (pending: Int, inFlight: Int, nextDue: Date?, paused: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        let pending = posts.values.reduce(0) { $0 + $1.records.values.filter { $0.status == .pending }.count }
        return (pending, inFlight, due.nextDue(), parked.count)
    }

    // MARK: Intake (call on `queue`)

    public func handle(_ events: [IntakeEvent]) {
        dispatchPrecondition(condition: .onQueue(queue))
        var journalRows: [String: (JournalPost, [DeliveryRecord])] = [:]
        let unknownIDs = events.compactMap { event -> String? in
            guard case .post(let parsed) = event, posts[parsed.post.id] == nil else { return nil }
            return parsed.post.id
        }
        do {
            journalRows = try journal.posts(ids: unknownIDs)
        } catch {
            logger.error("cannot read the journal; these files wait for the next scan", metadata: ["error": "\(error)"])
            return
        }
        for event in events {
            switch event {
            case .post(let parsed): accept(parsed, journalRow: journalRows[parsed.post.id])
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
        pump()
    }

    /// - Parameter journalRow: the journal's row for this post id, looked up for the whole batch.
    private func accept(_ parsed: ParsedPostFile, journalRow: (JournalPost, [DeliveryRecord])? = nil) {
        let id = parsed.post.id
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
            if active.post != nil, active.journal.contentHash == parsed.contentHash { return }
            let edited = active.post != nil || active.journal.contentHash != parsed.contentHash
            reconcile(active, with: parsed)
            if edited { logger.info("post changed", metadata: ["post": "\(id)", "file": "\(parsed.name)"]) }
            persist(id, records: Array(active.records.values))
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
                                                     scheduledAt: parsed.post.at ?? now, expiresAt: nil, acceptedAt: now))
        }
        reconcile(active, with: parsed)
        posts[id] = active
        postIDByFile[parsed.name] = id
        logger.info("post accepted", metadata: ["post": "\(id)", "file": "\(parsed.name)", "channels": "\(parsed.channels.joined(separator: ","))",
                                                "at": "\(TimestampFormat.string(active.journal.scheduledAt))"])
        persist(id, records: Array(active.records.values))
    }

    /// Brings a post's deliveries in line with its (new) content: channels and parts added get new
    /// delivery ids; pending ones no longer wanted are cancelled; done ones are never touched.
    private func reconcile(_ active: ActivePost, with parsed: ParsedPostFile) {
        let post = parsed.post
        let now = clock.now()
        let previousSchedule = active.journal.scheduledAt
        let wasKnown = active.post != nil || !active.records.isEmpty
        active.post = post
        active.fileRemoved = false
        active.journal.contentHash = parsed.contentHash
        active.journal.scheduledAt = post.at ?? active.journal.acceptedAt
        let rescheduled = !wasKnown || active.journal.scheduledAt != previousSchedule
        let expire = post.expire ?? runtime.config.defaults.expire
        active.journal.expiresAt = expire.map { active.journal.scheduledAt.addingTimeInterval($0) }
        active.parts = [:]
        var unsendable: [String: String] = [:]
        var variants: [RenderedVariant] = []
        defer { observer?(.accepted(post: post, variants: variants)) }
        for channel in parsed.channels {
            guard let config = runtime.config.channel(named: channel) else { continue }
            let variant = PartsPlanner.variant(for: post, channel: config, defaults: runtime.config.defaults)
            variants.append(variant)
            active.parts[channel] = variant.parts.map(\.text)
            if !variant.errors.isEmpty { unsendable[channel] = variant.errors.joined(separator: "; ") }
            for warning in variant.warnings {
                logger.warning("post variant warning", metadata: ["post": "\(post.id)", "channel": "\(channel)", "warning": "\(warning)"])
            }
        }
        for (key, var record) in active.records where record.status == .pending && !active.inFlight.contains(key) {
            let wanted = (active.parts[key.channel]?.count ?? 0) >= key.part
            if !wanted {
                record.cancel(at: now, reason: "removed from the post by an edit")
            } else if record.attempts == 0, rescheduled, key.part == 1 {
                let index = parsed.channels.firstIndex(of: key.channel) ?? 0
                record.dueAt = plannedDue(post: post, channel: key.channel, index: index, base: active.journal.scheduledAt, key: key, now: now)
            }
            active.records[key] = record
        }
        for (channel, parts) in active.parts {
            for part in 1...max(parts.count, 1) where parts.count >= part {
                let key = DeliveryKey(post: post.id, channel: channel, part: part)
                if active.records[key] == nil {
                    let index = parsed.channels.firstIndex(of: channel) ?? 0
                    let dueAt = part == 1
                        ? plannedDue(post: post, channel: channel, index: index, base: active.journal.scheduledAt, key: key, now: now)
                        : active.journal.scheduledAt
                    active.records[key] = DeliveryRecord(id: DeliveryID.make(using: &random), key: key, dueAt: dueAt)
                    active.unjournaled.insert(key)
                }
                // Caught when dropped, not by a platform's 400 at send time: the channel fails now,
                // with the renderer's reason (e.g. "too long for x: 311/280 (long: reject)").
                if let reason = unsendable[channel], var record = active.records[key], record.status == .pending,
                   !active.inFlight.contains(key) {
                    record.refuse(at: now, reason: reason)
                    active.records[key] = record
                }
            }
        }
    }

    /// When a channel's first part should go: the post's `at`; else the channel's next free slot;
    /// else when it was accepted — then the post's channels spread by `stagger`, each with its stable
    /// jitter. Deterministic, so the preview plans the same instants.
    private func plannedDue(post: Post, channel: String, index: Int, base: Date, key: DeliveryKey, now: Date) -> Date {
        guard let config = runtime.config.channel(named: channel) else { return base }
        if post.at == nil, let slots = config.slots {
            let zone = config.timeZone ?? runtime.config.timeZone
            if takenSlots[channel] == nil {
                takenSlots[channel] = Set(posts.values.flatMap { $0.records.values }
                    .filter { $0.key.channel == channel && $0.status == .pending }.compactMap(\.dueAt))
            }
            if let current = posts[post.id]?.records[key]?.dueAt { takenSlots[channel]?.remove(current) }
            if let slot = slots.slots(after: now, timeZone: zone, limit: 2000).first(where: { !(takenSlots[channel]?.contains($0) ?? false) }) {
                takenSlots[channel]?.insert(slot)
                return slot
            }
        }
        var due = base.addingTimeInterval(Double(index) * runtime.config.defaults.stagger)
        if config.limits.jitter > 0 { due.addTimeInterval(StableJitter.fraction(for: key.description) * config.limits.jitter) }
        return due
    }

    /// Journals the post and `records`, then (once durable) schedules what may go.
    private func persist(_ id: String, records: [DeliveryRecord]) {
        guard let active = posts[id] else { return }
        var changes: [JournalChange] = [.upsertPost(active.journal)]
        changes.append(contentsOf: records.map { .upsertDelivery($0) })
        let journaling = active.unjournaled.intersection(records.map(\.key))
        outstanding += 1
        active.unsavedChanges += 1
        commit(changes) { [weak self] error in
            guard let self else { return }
            self.outstanding -= 1
            if let error {
                self.logger.critical("journal write failed; deliveries of this post are held", metadata: ["post": "\(id)", "error": "\(error)"])
                return self.checkIdle()
            }
            guard let active = self.posts[id] else { return self.checkIdle() }
            active.unsavedChanges -= 1
            active.unjournaled.subtract(journaling)
            self.scheduleReady(id)
            self.finalizeIfDone(id)
            self.pump()
        }
    }

    private func scheduleReady(_ id: String) {
        guard let active = posts[id], active.post != nil, !active.fileRemoved else { return }
        for key in active.nextPendingParts() where !active.inFlight.contains(key) && !active.unjournaled.contains(key) {
            if let dueAt = active.records[key]?.dueAt { due.schedule(key, at: dueAt) }
        }
    }

    private func reject(name: String, error: PostFileError) {
        logger.error("post file rejected", metadata: ["file": "\(name)", "reason": "\(error.description)"])
        observer?(.rejected(file: name, error: error))
        if let id = postIDByFile[name] { fileGone(name, reason: "the edited file was rejected", id: id) }
        outstanding += 1
        onMovingOut(name)
        filer.reject(name: name, reason: error.description, on: queue) { [weak self] destination in
            guard let self else { return }
            self.outstanding -= 1
            if let destination { self.logger.info("rejected file moved", metadata: ["file": "\(name)", "to": "\(destination)"]) }
            self.checkIdle()
        }
    }

    private func fileGone(_ name: String, reason: String = "the post file left the queue", id knownID: String? = nil) {
        guard let id = knownID ?? postIDByFile[name], let active = posts[id], !active.finalizing else { return }
        postIDByFile[name] = nil
        active.fileRemoved = true
        active.post = nil
        let now = clock.now()
        var changed: [DeliveryRecord] = []
        for (key, var record) in active.records where record.status == .pending && !active.inFlight.contains(key) {
            record.cancel(at: now, reason: "cancelled: \(reason)")
            due.cancel(key)
            active.records[key] = record
            changed.append(record)
        }
        logger.info("post cancelled", metadata: ["post": "\(id)", "file": "\(name)", "reason": "\(reason)"])
        persist(id, records: changed)
    }

    // MARK: Sending

    /// Starts every due delivery there is room for, then re-arms the timer.
    public func pump() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard accepting else { return checkIdle() }
        let now = clock.now()
        let room = runtime.config.delivery.maxInFlight - inFlight
        if room > 0 {
            for key in due.popDue(now: now, limit: room) {
                if let reason = pauseReason(for: key.channel) {
                    if parked.insert(key).inserted { observer?(.held(key, reason: reason, until: nil)) }
                    continue
                }
                if admit(key, now: now) { start(key, now: now) }
            }
        }
        timer.arm(at: inFlight < runtime.config.delivery.maxInFlight ? due.nextDue() : nil)
        checkIdle()
    }

    /// The channel's gate: room in flight, rate windows, gaps, quiet hours, what the platform said,
    /// near-duplicates. False means the delivery was put back (in line, or waiting for a slot).
    private func admit(_ key: DeliveryKey, now: Date) -> Bool {
        guard let gate = gates[key.channel] else { return true }
        if gate.inFlight >= gate.limits.maxInFlight {
            gate.waiting.append(key)
            return false
        }
        let allowed = gate.allowedAt(now: now, jitterKey: key.description)
        if allowed > now {
            due.schedule(key, at: allowed)
            if let observer {
                let quiet = gate.limits.quiet.map { $0.firstAllowed(atOrAfter: now, timeZone: gate.timeZone) > now } ?? false
                observer(.held(key, reason: quiet ? "quiet hours" : "channel limits", until: allowed))
            }
            return false
        }
        guard let active = posts[key.post], let text = active.parts[key.channel]?[safe: key.part - 1],
              let match = gate.nearDuplicate(of: text, now: now), match.postID != key.post else { return true }
        let ago = DurationParser.format(now.timeIntervalSince(match.sentAt))
        let percent = "\(Int((match.similarity * 100).rounded()))%"
        switch gate.duplicates.policy {
        case .hold:
            let until = match.sentAt.addingTimeInterval(gate.duplicates.window + 1)
            logger.warning("near-duplicate held", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "earlier": "\(match.postID)",
                                                             "sent": "\(ago) ago", "similarity": "\(percent)", "until": "\(TimestampFormat.string(until))"])
            due.schedule(key, at: until)
            observer?(.held(key, reason: "near-duplicate of '\(match.postID)' sent \(ago) ago", until: until))
            return false
        case .warn:
            observer?(.held(key, reason: "near-duplicate of '\(match.postID)' sent \(ago) ago (sent anyway)", until: now))
            logger.warning("near-duplicate sent anyway", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "earlier": "\(match.postID)",
                                                                    "sent": "\(ago) ago", "similarity": "\(percent)"])
            return true
        case .allow:
            return true
        }
    }

    private func start(_ key: DeliveryKey, now: Date) {
        guard let active = posts[key.post], var record = active.records[key], record.status == .pending,
              let post = active.post else { return }
        if let expiresAt = active.journal.expiresAt, now > expiresAt {
            record.apply(.expired(reason: "expired: not sent by \(TimestampFormat.string(expiresAt))", attempted: false), at: now)
            return finish(key, record: record, in: active)
        }
        guard let channel = runtime.channels[key.channel], let parts = active.parts[key.channel], key.part <= parts.count else {
            record.refuse(at: now, reason: "channel '\(key.channel)' is no longer configured in \(runtime.path)")
            return finish(key, record: record, in: active)
        }
        let previous = key.part > 1 ? active.records[DeliveryKey(post: key.post, channel: key.channel, part: key.part - 1)]?.remote : nil
        let context = DeliveryContext(deliveryID: record.id, post: post, channel: channel.config, secrets: channel.secrets,
                                      part: key.part, partCount: parts.count, text: parts[key.part - 1],
                                      scheduledAt: active.journal.scheduledAt, replyTo: previous)
        let request: OutgoingRequest
        do {
            request = try channel.adapter.request(for: context, now: now)
        } catch {
            record.refuse(at: now, reason: error.message)
            return finish(key, record: record, in: active)
        }
        inFlight += 1
        active.inFlight.insert(key)
        var journalFirst = false
        if let gate = gates[key.channel] {
            gate.inFlight += 1
            if gate.isThrottled {
                gate.record(SendRecord(channel: key.channel, at: now, postID: key.post, deliveryID: record.id, text: context.text))
                gate.outstanding.insert(record.id)
                journalFirst = true
            }
        }
        if options.dryRun {
            logger.info("dry-run: would send", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "part": "\(key.part)",
                                                          "delivery": "\(record.id)", "url": "\(request.url)", "text": "\(context.text)"])
        }
        let attempt = record.attempts + 1
        let transport = self.transport
        let send: @Sendable () -> Void = { [weak self] in
            guard let engine = self else { return }
            transport.send(request) { result in
                engine.queue.async { engine.complete(key, attempt: attempt, result: result) }
            }
        }
        observer?(.sent(key, at: now, text: context.text, deliveryID: record.id))
        guard journalFirst, let sendRecord = gates[key.channel]?.history.last else { return send() }
        // On a throttled channel the send is journaled before the request goes out, so a crash
        // right after it still counts against the limits when the daemon comes back.
        outstanding += 1
        commit([.recordSend(sendRecord)]) { [weak self] _ in
            guard let self else { return }
            self.outstanding -= 1
            // A pause that arrived while the send was being journaled still stops it.
            if self.pauseReason(for: key.channel) != nil { return self.putBack(key, deliveryID: sendRecord.deliveryID) }
            send()
        }
    }

    /// Undoes `start` for a send that never went out: it waits, parked, for the pause to lift.
    private func putBack(_ key: DeliveryKey, deliveryID: String) {
        inFlight -= 1
        if let gate = gates[key.channel] {
            gate.inFlight = max(0, gate.inFlight - 1)
            gate.outstanding.remove(deliveryID)
        }
        posts[key.post]?.inFlight.remove(key)
        parked.insert(key)
        pump()
    }

    private func complete(_ key: DeliveryKey, attempt: Int, result: TransportResult) {
        inFlight -= 1
        let now = clock.now()
        if let deliveryID = posts[key.post]?.records[key]?.id,
           let times = gates[key.channel]?.completed(deliveryID: deliveryID, at: now), times.started != times.completed {
            commit([.completeSend(deliveryID: deliveryID, startedAt: times.started, completedAt: times.completed)])
        }
        learn(from: result, channel: key.channel, now: now)
        guard let active = posts[key.post], var record = active.records[key] else { return pump() }
        active.inFlight.remove(key)
        if case .failure(let error) = result, error.kind == .cancelled {
            // Abandoned at shutdown: stays pending with the same id, resent on the next start.
            return pump()
        }
        let policy = runtime.channels[key.channel]?.config.retry ?? RetryPolicy()
        let adapter = runtime.channels[key.channel]?.adapter
        let outcome = AttemptClassifier(policy: policy).classify(
            result, attempt: attempt, now: now, expiresAt: active.journal.expiresAt,
            randomFraction: Double.random(in: 0..<1, using: &random),
            remote: { adapter?.remoteReference(from: $0) })
        record.apply(outcome, at: now)
        // Built only for a line that is logged (the preview and `--log-level warning` log none).
        func metadata(_ record: DeliveryRecord, extra: Logger.Metadata = [:]) -> Logger.Metadata {
            var metadata: Logger.Metadata = ["post": "\(key.post)", "channel": "\(key.channel)", "part": "\(key.part)",
                                             "delivery": "\(record.id)", "attempt": "\(attempt)"]
            if let status = record.httpStatus { metadata["status"] = "\(status)" }
            return metadata.merging(extra) { $1 }
        }
        switch record.status {
        case .sent:
            logger.info("delivery sent", metadata: metadata(record))
        case .pending:
            logger.warning("delivery will be retried", metadata: metadata(record, extra: [
                "retry_at": "\(record.dueAt.map(TimestampFormat.string) ?? "-")", "error": "\(record.error ?? "")"]))
            if active.fileRemoved {
                record.cancel(at: now, reason: "cancelled: the post file left the queue")
            }
        default:
            logger.error("delivery failed", metadata: metadata(record, extra: ["error": "\(record.error ?? "")"]))
        }
        finish(key, record: record, in: active)
    }

    /// Frees the channel's in-flight slot and takes in what the answer says about the channel: a
    /// `Retry-After` or exhausted rate limit pushes its next allowed time; failures in a row trip the
    /// circuit breaker, which pauses the channel and raises an alert.
    private func learn(from result: TransportResult, channel: String, now: Date) {
        guard let gate = gates[channel] else { return }
        gate.inFlight = max(0, gate.inFlight - 1)
        for waiting in gate.waiting { due.schedule(waiting, at: now) }
        gate.waiting.removeAll()
        let before = gate.state
        switch result {
        case .success(let response):
            if let wait = RateLimitSignal.wait(in: response, now: now) {
                let until = now.addingTimeInterval(wait)
                if until > (gate.state.notBefore ?? .distantPast) { gate.state.notBefore = until }
            }
            let failing = response.status >= 500 || response.status == 429 || response.status == 401 || response.status == 403
            gate.state.consecutiveFailures = failing ? gate.state.consecutiveFailures + 1 : 0
        case .failure(let error):
            if error.kind != .cancelled { gate.state.consecutiveFailures += 1 }
        }
        if gate.state != before { commit([.channelState(channel: channel, gate.state)]) }
        let threshold = runtime.channels[channel]?.config.breakerThreshold ?? 0
        if threshold > 0, gate.state.consecutiveFailures >= threshold, pauses[channel] == nil {
            let last: String
            switch result {
            case .success(let response): last = "HTTP \(response.status)"
            case .failure(let error): last = error.description
            }
            let pause = PauseRecord(scope: channel, reason: "circuit breaker: \(gate.state.consecutiveFailures) failed attempts in a row (last: \(last)); fix the channel, then `crier resume \(channel)`",
                                    pausedBy: "crier", pausedAt: now)
            pauses[channel] = pause
            commit([.pause(pause)])
            logger.critical("channel paused by the circuit breaker", metadata: ["channel": "\(channel)", "failures": "\(gate.state.consecutiveFailures)", "last": "\(last)"])
            alerts?.post("crier paused channel '\(channel)': \(pause.reason)", failingChannel: channel)
        }
    }

    /// Stores a changed record, journals it, and schedules whatever follows once it is durable.
    private func finish(_ key: DeliveryKey, record: DeliveryRecord, in active: ActivePost) {
        if record.status.isFinal, record.status != .sent { observer?(.ended(key, status: record.status, reason: record.error)) }
        active.records[key] = record
        if record.status == .pending, let dueAt = record.dueAt { due.schedule(key, at: dueAt) }
        outstanding += 1
        active.unsavedChanges += 1
        // Everything that reaches `finish` was journaled before it was scheduled.
        commit([.updateDelivery(record)]) { [weak self] error in
            guard let self else { return }
            self.outstanding -= 1
            if let error {
                self.logger.critical("journal write failed", metadata: ["delivery": "\(record.id)", "error": "\(error)"])
                return self.checkIdle()
            }
            self.posts[key.post]?.unsavedChanges -= 1
            if record.status == .sent { self.scheduleReady(key.post) }
            if record.status.isFinal { self.finalizeIfDone(key.post) }
            self.pump()
        }
        pump()
    }

    // MARK: Filing

    private func finalizeIfDone(_ id: String) {
        guard let active = posts[id], active.unsavedChanges == 0, !active.finalizing, active.inFlight.isEmpty,
              active.allFinal else { return }
        guard initialScanDone || active.post != nil else { return }
        active.finalizing = true
        let receipt = Receipt(post: id, file: active.journal.file, records: Array(active.records.values))
        let outcome = receipt.outcome
        outstanding += 1
        if !active.fileRemoved { onMovingOut(active.journal.file) }
        filer.file(PostFiler.Finished(fileName: active.journal.file, fileInQueue: !active.fileRemoved, outcome: outcome, receipt: receipt), on: queue) { [weak self] destination in
            guard let self else { return }
            self.filed(id, outcome: outcome, destination: destination)
        }
    }

    private func filed(_ id: String, outcome: PostOutcome, destination: String?) {
        guard let active = posts[id] else { outstanding -= 1; return checkIdle() }
        active.journal.state = JournalPost.State(rawValue: outcome.rawValue) ?? .failed
        active.journal.finishedAt = clock.now()
        logger.log(level: outcome == .failed ? .error : .info, "post finished",
                   metadata: ["post": "\(id)", "outcome": "\(outcome.rawValue)", "to": "\(destination ?? "-")"])
        if outcome == .failed {
            let failures = active.records.values.filter { $0.status == .failed || $0.status == .expired }.sorted { $0.key < $1.key }
            let lines = failures.map { "\($0.key.channel): \($0.error ?? $0.status.rawValue)" }.joined(separator: "; ")
            alerts?.post("crier could not deliver post '\(id)' (\(active.journal.file)): \(lines)", about: id,
                         failingChannel: failures.count == 1 ? failures[0].key.channel : nil)
        }
        let row = active.journal
        if postIDByFile[row.file] == id { postIDByFile[row.file] = nil }
        // The post stays (finalizing) until its final row is durable: a file with its id that
        // arrives meanwhile waits in `arrivedWhileFiling` instead of reading a stale row.
        commit([.upsertPost(row)]) { [weak self] _ in
            guard let self else { return }
            self.outstanding -= 1
            self.posts[id] = nil
            if let parsed = self.arrivedWhileFiling.removeValue(forKey: id) { self.handle([.post(parsed)]) }
            self.pump()
        }
    }

    // MARK: Journal

    /// Hands `changes` to the journal at the end of this turn of the engine's queue, with everything
    /// else the turn changed; `completion` runs on the queue once they are durable. Each delivery's
    /// outcome is its own change, and handing each over alone made the journal write thousands of
    /// transactions of three changes, each with its own hop back, where one would do.
    private func commit(_ changes: [JournalChange], completion: (@Sendable (JournalError?) -> Void)? = nil) {
        if journalBatch.isEmpty && journalBatchCompletions.isEmpty {
            queue.async { [weak self] in self?.submitJournalBatch() }
        }
        journalBatch.append(contentsOf: changes)
        if let completion { journalBatchCompletions.append(completion) }
    }

    private func submitJournalBatch() {
        let changes = journalBatch
        let completions = journalBatchCompletions
        journalBatch.removeAll()
        journalBatchCompletions.removeAll()
        if completions.isEmpty {
            journal.commit(changes)
        } else {
            journal.commit(changes, on: queue) { error in
                for completion in completions { completion(error) }
            }
        }
        checkIdle()  // a batch of fire-and-forget changes may have been all that kept the engine busy
    }

    /// Wakes the settle waiters and the `once` idle handler when their condition holds; called at
    /// the end of everything that can lower `inFlight` or `outstanding` or hand the journal batch over.
    private func checkIdle() {
        if !settledWaiters.isEmpty, isSettled {
            let waiters = settledWaiters
            settledWaiters.removeAll()
            for waiter in waiters { waiter() }
        }
        guard let idleHandler, initialScanDone, settlingFiles == 0, inFlight == 0, outstanding == 0 else { return }
        if let next = due.nextDue(), next.timeIntervalSince(clock.now()) <= options.onceHorizon { return }
        self.idleHandler = nil
        idleHandler()
    }
}
