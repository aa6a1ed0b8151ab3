import CCrierLinux
import CrierCore
import Foundation
import Logging

/// The scheduler (Postfix's qmgr): owns every unfinished post and delivery, decides what is due,
/// runs each delivery's steps through its platform adapter and the transport, records every
/// outcome in the journal and files finished posts. It never reads post files (the intake does)
/// and never speaks HTTP (the transport does); its decisions are the pure functions of CrierCore
/// (`Admission`, `SlotAssignment`, `DeliveryReconciliation`, `StepPlan`, `StepClassifier`,
/// `CircuitBreaker`), so what is left here is bookkeeping.
///
/// All state lives on `queue`, a serial Dispatch queue (see `DaemonQueues`); one `WakeupTimer` is
/// armed to the earliest due delivery, so an idle daemon does nothing until the next send is due.
/// Accepting, editing, cancelling and filing posts is in `DeliveryEngine+Posts.swift`; running a
/// delivery's steps in `DeliveryEngine+Steps.swift`.
public final class DeliveryEngine: @unchecked Sendable {
    // Confinement: every mutable member is used only on `queue`.
    public let queue: DispatchQueue
    let journal: any Journal
    let transport: any Transport
    let filer: PostFiler
    let clock: any WallClock
    private let timer: any WakeupTimer
    let options: EngineOptions
    var logger: Logger
    var runtime: RuntimeConfig
    let media: any MediaSource
    let batch: JournalBatcher

    var posts: [String: ActivePost] = [:]
    var postIDByFile: [String: String] = [:]
    var due = DueQueue<DeliveryKey>()
    var inFlight = 0
    private(set) var accepting = true
    /// Why the journal refuses writes, while it does: no send starts meanwhile.
    private var journalFailure: JournalError?
    /// Journal commits and filings under way; `once` mode is idle only when this is zero.
    var outstanding = 0
    var initialScanDone = false
    /// Files the intake is still waiting on; `once` mode is not idle while any remain.
    var settlingFiles = 0
    private var idleHandler: (@Sendable () -> Void)?
    /// Woken (once) the next time nothing is in flight and nothing is being journaled or filed.
    private var settledWaiters: [@Sendable () -> Void] = []
    /// Told the name of every file the engine moves out of the queue, so the intake does not take
    /// its own moves for a user deleting a post.
    let onMovingOut: @Sendable (String) -> Void
    /// Pauses from the journal (`crier pause`) by scope, and `queue/PAUSE`'s text.
    private(set) var pauses: [String: PauseRecord] = [:]
    private var pauseFileReason: String?
    /// Due deliveries held back by a pause; scheduled again (under the throttles) on resume.
    var parked: Set<DeliveryKey> = []
    /// Per-channel throttle state: history, what answers taught (the breaker too), in-flight count, waiters.
    var gates: [String: ChannelGate] = [:]
    var alerts: AlertPoster?
    var observer: (@Sendable (EngineEvent) -> Void)?
    let slots = SlotBook()
    /// Each channel's session and who is renewing it.
    let sessions = SessionBook()
    /// Approval rows of unfinished posts, by `ApprovalBook.key(post, channel)`, and who waits for them.
    let approvals = ApprovalBook()
    /// Names of file owners seen at intake, by uid.
    var userNames: [UInt32: String] = [:]
    /// Files that arrived for a post still being filed: handled once the filing is committed.
    var arrivedWhileFiling: [String: ParsedPostFile] = [:]
    var random = FastRandom()
    /// Reads a post file again (set by the daemon): with it, posts due later than `loadAhead` are
    /// kept out of memory (`DeliveryEngine+Dormancy`).
    var postLoader: PostLoader?
    /// Posts kept out of memory until shortly before they are due (`DeliveryEngine+Dormancy`), by
    /// id; when to wake each (stale entries are skipped); their pending deliveries together.
    var dormant: [String: DormantPost] = [:]
    var dormantSchedule = InstantHeap<String>()  // by due time
    var dormantPending = 0
    /// The journal change count when memory was last given back (`checkIdle`).
    private var changesAtLastTrim = 0
    private static let trimEveryChanges = 20_000
    /// New posts of the intake batch being handled, logged with one line (`handle`).
    var acceptedInBatch: [String] = []
    /// What `restore` read of each post's file signature, until the daemon takes it for the intake.
    var restoredSignatures: [String: FileSignature] = [:]
    /// Posts other nodes took in that this node holds (asleep or awake), and how far it has read
    /// their changes (`DeliveryEngine+Cluster`).
    var remotePostIDs: Set<String> = []
    var remoteWatermark: Int64 = 0
    /// Why claims fail, while they do (the shared store does not answer).
    var clusterProblem: String?
    /// `summary()`'s counts and the journal change count they were made at: an idle daemon's status
    /// heartbeat costs nothing however large its backlog.
    private var summaryCounts: (changeCount: Int, pending: Int, unknown: Int)?

    public init(queue: DispatchQueue, runtime: RuntimeConfig, journal: any Journal, transport: any Transport,
                filer: PostFiler, clock: any WallClock, timer: any WakeupTimer, options: EngineOptions, logger: Logger,
                media: any MediaSource, onMovingOut: @escaping @Sendable (String) -> Void = { _ in }) {
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
        self.media = media
        batch = JournalBatcher(journal: journal, queue: queue)
        batch.afterSubmit = { [weak self] in self?.checkIdle() }
        journal.observeHealth(on: queue) { [weak self] failure in self?.journalHealthChanged(failure) }
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
            let zone = channel.timeZone ?? runtime.config.timeZone
            let gate = gates[channel.name] ?? ChannelGate(name: channel.name, limits: channel.limits, duplicates: channel.duplicates, timeZone: zone)
            gate.limits = channel.limits
            gate.duplicates = channel.duplicates
            gate.timeZone = zone
            next[channel.name] = gate
        }
        gates = next
    }

    // MARK: Lifecycle (call on `queue`)

    /// Loads unfinished posts from the journal, the throttle history and the operator's pending
    /// resolutions. With a post loader (the daemon), posts due later than `loadAhead` go to sleep
    /// straight from the journal's schedule (`DeliveryEngine+Dormancy`) and the others are loaded
    /// with their content left in their files until they go; without one, deliveries wait until the
    /// intake has read their files (content comes from the file, what was sent from the journal).
    public func restore() throws(JournalError) {
        dispatchPrecondition(condition: .onQueue(queue))
        if postLoader != nil {
            try restoreSchedule()
        } else {
            for (journalPost, records) in try journal.unfinishedPosts() { restorePost(journalPost, records) }
        }
        let now = clock.now()
        let longest = gates.values.map(\.memory).max() ?? 0
        for (channel, sends) in try journal.sends(since: now.addingTimeInterval(-max(longest, 60))) {
            for send in sends { gates[channel]?.record(send) }
        }
        for (channel, state) in try journal.channelStates() { gates[channel]?.state = state }
        sessions.restore(try journal.sessions())
        approvals.restore(try journal.approvals())
        // Older sends matter to no window and no guard any more.
        journal.pruneSends(before: now.addingTimeInterval(-max(longest, 2 * 86_400)))
        if !posts.isEmpty || !dormant.isEmpty {
            let unknown = posts.values.reduce(0) { $0 + $1.records.values.filter { $0.status == .unknown }.count }
            logger.info("journal restored", metadata: ["posts": "\(posts.count + dormant.count)", "dormant": "\(dormant.count)",
                                                       "unknown": "\(unknown)"])
        }
        apply(try journal.resolutions())
    }

    private func restorePost(_ journalPost: JournalPost, _ records: [DeliveryRecord]) {
        let active = ActivePost(journal: journalPost)
        for record in records { active.records[record.key] = record }
        active.contentInFile = postLoader != nil
        posts[journalPost.id] = active
        postIDByFile[journalPost.file] = journalPost.id
    }

    /// The restart of a daemon: one row per post from the journal; the far ones sleep at once, the
    /// near ones and those in doubt are loaded whole (in chunks) and scheduled.
    private func restoreSchedule() throws(JournalError) {
        let horizon = clock.now().addingTimeInterval(options.loadAhead)
        var near: [String] = []
        let schedule = try journal.unfinishedSchedule()
        // Sized once: growing three dictionaries of 100,000 entries step by step costs more than filling them.
        restoredSignatures.reserveCapacity(schedule.count)
        dormant.reserveCapacity(schedule.count)
        postIDByFile.reserveCapacity(schedule.count)
        for row in schedule {
            if let signature = row.fileSignature { restoredSignatures[row.file] = signature }
            guard row.pendingDeliveries > 0, !row.inDoubt, let earliest = row.earliestPendingDue, earliest > horizon else {
                near.append(row.id)
                continue
            }
            postIDByFile[row.file] = row.id
            dormant[row.id] = DormantPost(file: row.file, hashPrefix: DormantPost.hashPrefix(row.contentHash),
                                          pendingDeliveries: Int32(clamping: row.pendingDeliveries))
            dormantPending += row.pendingDeliveries
            dormantSchedule.push(row.id, at: earliest)
        }
        for start in stride(from: 0, to: near.count, by: 500) {
            let rows = try journal.posts(ids: Array(near[start..<min(start + 500, near.count)]))
            for (journalPost, records) in rows.values { restorePost(journalPost, records) }
        }
        for id in Array(posts.keys) { scheduleReady(id) }
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
            // A lifted pause starts the failure count afresh.
            for name in scope == "*" ? Array(gates.keys) : [scope] {
                guard let gate = gates[name], gate.state.consecutiveFailures > 0 else { continue }
                gate.state.consecutiveFailures = 0
                batch.commit([.channelState(channel: name, gate.state)])
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
        if journal.cluster != nil, let file = pauses.first(where: { $0.key.hasPrefix(PauseRecord.pauseFileScopePrefix) })?.value {
            return "\(file.pausedBy): \(file.reason)"
        }
        if let one = pauses[channel] { return "\(channel) paused by \(one.pausedBy): \(one.reason)" }
        return nil
    }

    /// Applies the operator's answers for deliveries held as `unknown` (`crier resolve`, `crier
    /// retry`): sent (with the URL they found) or not sent (its uncertain step is sent again).
    /// Each is deleted from the journal once applied, or once found to be about nothing unknown.
    public func apply(_ resolutions: [Resolution]) {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = clock.now()
        for resolution in resolutions {
            guard let active = awaken(resolution.key.post), var record = active.records[resolution.key],
                  record.id == resolution.deliveryID, record.status == .unknown else {
                batch.commit([.resolutionApplied(deliveryID: resolution.deliveryID)])
                continue
            }
            if resolution.sent {
                let adapter = runtime.channels[resolution.key.channel]?.adapter
                record.resolve(sent: resolution.remoteURL.map { adapter?.remoteReference(forURL: $0) ?? RemoteReference(id: nil, url: $0) },
                               at: now)
            } else if active.fileRemoved {
                record.resolveNotSent(at: now)
                record.cancel(at: now, reason: "cancelled: the post file left the queue")
            } else {
                record.resolveNotSent(at: now)
            }
            logger.notice("unknown delivery resolved", metadata: ["post": "\(resolution.key.post)", "channel": "\(resolution.key.channel)",
                                                                  "part": "\(resolution.key.part)", "as": "\(resolution.sent ? "sent" : "not sent")",
                                                                  "by": "\(resolution.resolvedBy)"])
            batch.commit([.resolutionApplied(deliveryID: resolution.deliveryID)])
            finish(resolution.key, record: record, in: active)
        }
        pump()
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
        return inFlight == 0 && outstanding == 0 && batch.isEmpty
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
    public func summary() -> (pending: Int, inFlight: Int, nextDue: Date?, paused: Int, unknown: Int) {
        dispatchPrecondition(condition: .onQueue(queue))
        // The next send: of the deliveries in line, or of the sleeping posts.
        let nextDue = [due.nextDue(), dormantSchedule.next].compactMap { $0 }.min()
        if let cached = summaryCounts, cached.changeCount == batch.changeCount, batch.isEmpty {
            return (cached.pending, inFlight, nextDue, parked.count, cached.unknown)
        }
        var unknown = 0
        var pending = dormantPending
        for active in posts.values {
            for record in active.records.values {
                if record.status == .pending { pending += 1 } else if record.status == .unknown { unknown += 1 }
            }
        }
        summaryCounts = (batch.changeCount, pending, unknown)
        return (pending, inFlight, nextDue, parked.count, unknown)
    }

    // MARK: Sending

    /// The journal stopped taking writes (nil: it takes them again). While it refuses, no send
    /// starts — a send may only start once its intent is durable — and the changes already made
    /// wait in the journal, which writes them again by itself until it can.
    private func journalHealthChanged(_ failure: JournalError?) {
        journalFailure = failure
        if let failure {
            logger.critical("journal cannot be written; no send starts until it can (crier retries by itself)",
                            metadata: ["journal": "\(journal.path)", "error": "\(failure)"])
            timer.arm(at: nil)
        } else {
            logger.notice("journal written again; sending resumes", metadata: ["journal": "\(journal.path)"])
            pump()
        }
    }

    /// Why the journal refuses writes, while it does (for status lines).
    public var journalProblem: String? {
        dispatchPrecondition(condition: .onQueue(queue))
        return journalFailure.map { "\($0)" }
    }

    /// Starts every due delivery there is room for, then re-arms the timer.
    public func pump() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard accepting, journalFailure == nil else { return checkIdle() }
        let now = clock.now()
        wakeDormant(now: now)
        var room = runtime.config.delivery.maxInFlight - inFlight
        if room > 0 {
            let dueNow = due.popDue(now: now, limit: room)
            room -= dueNow.count
            for key in dueNow { startIfAllowed(key, at: now) }
            // Those due within the send lead start now as of their due instant (`sendLead`); each
            // instant popped alone so that every delivery is admitted at its own.
            while options.sendLead > 0, room > 0, let next = due.nextDue(), next.timeIntervalSince(now) <= options.sendLead {
                let dueThen = due.popDue(now: next, limit: room)
                room -= dueThen.count
                for key in dueThen { startIfAllowed(key, at: max(next, now)) }
            }
        }
        // Armed the send lead ahead of the next due delivery (`sendLead`).
        let nextSend = inFlight < runtime.config.delivery.maxInFlight ? due.nextDue()?.addingTimeInterval(-options.sendLead) : nil
        // The earlier of the two (no array built for it: this runs after every step).
        switch (nextSend, nextWake) {
        case (let send?, let wake?): timer.arm(at: min(send, wake))
        case (let send, let wake): timer.arm(at: send ?? wake)
        }
        checkIdle()
    }

    /// Starts `key` as of `instant` (now, or its due instant within the send lead) unless a pause,
    /// a missing approval, the channel's gate or another node's claim holds it back.
    private func startIfAllowed(_ key: DeliveryKey, at instant: Date) {
        if let reason = pauseReason(for: key.channel) {
            if parked.insert(key).inserted { observer?(.held(key, reason: reason, until: nil)) }
            return
        }
        guard let active = awaken(key.post), loadContent(active) else { return }
        guard approvalAllows(key, now: instant), admit(key, now: instant), claimAllows(key, now: instant) else { return }
        start(key, now: instant)
        if let gate = gates[key.channel], gate.probe == key, !(posts[key.post]?.inFlight.contains(key) ?? false) {
            for waiting in gate.probeEndedWithoutRequest() { due.schedule(waiting, at: instant) }
        }
    }

    /// The channel's gate (`Admission`): room in flight, rate windows, gaps, quiet hours, what the
    /// platform said, near-duplicates. Only a delivery's first step is admitted: the later steps of
    /// one already admitted are part of the same post. False means it was put back (in line, or
    /// waiting for a slot).
    private func admit(_ key: DeliveryKey, now: Date) -> Bool {
        guard let gate = gates[key.channel] else { return true }
        switch gate.breakerPass(for: key, now: now) {
        case .closed:
            break
        case .heldUntil(let openUntil):
            due.schedule(key, at: openUntil)
            observer?(.held(key, reason: "circuit breaker open", until: openUntil))
            return false
        case .waitingForProbe:
            return false
        case .probe:
            logger.notice("circuit breaker: probing the channel", metadata: ["channel": "\(key.channel)", "post": "\(key.post)"])
        }
        let record = posts[key.post]?.records[key]
        let firstStep = record.map { $0.progress.isAtFirstStep } ?? true
        let decision = gate.admission(of: key, text: firstStep ? posts[key.post]?.parts[key.channel]?[safe: key.part - 1]?.text : nil,
                                      now: now)
        switch decision {
        case .go:
            return true
        case .waitForRoom:
            gate.waiting.append(key)
            return false
        case .later(let until, let reason):
            guard firstStep else { return true }
            due.schedule(key, at: until)
            observer?(.held(key, reason: reason, until: until))
            return false
        case .holdDuplicate(let until, let reason):
            logger.warning("near-duplicate held", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "reason": "\(reason)",
                                                             "until": "\(TimestampFormat.string(until))"])
            due.schedule(key, at: until)
            observer?(.held(key, reason: reason, until: until))
            return false
        case .goDespiteDuplicate(let reason):
            observer?(.held(key, reason: reason, until: now))
            logger.warning("near-duplicate sent anyway", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "reason": "\(reason)"])
            return true
        }
    }

    /// Frees the channel's in-flight slot and takes in what the answer says about the channel
    /// (`CircuitBreaker`): a `Retry-After` or exhausted rate limit pushes its next allowed time;
    /// failures in a row open the breaker, and the half-open probe's answer closes or reopens it.
    /// - Parameter sessionExpired: the adapter read the answer as "the session expired": a renewal
    ///   deals with that, so it counts neither for nor against the channel (a token that expires
    ///   while many posts are in flight must not open the breaker) — unless it answers the probe.
    func learn(from result: TransportResult, of key: DeliveryKey, startedAt: Date, now: Date, sessionExpired: Bool = false) {
        let channel = key.channel
        guard let gate = gates[channel] else { return }
        let learned = gate.learn(from: result, of: key, startedAt: startedAt, now: now,
                                 threshold: runtime.channels[channel]?.config.breakerThreshold ?? 0, sessionExpired: sessionExpired)
        for waiting in learned.released { due.schedule(waiting, at: now) }
        if learned.stateChanged { batch.commit([.channelState(channel: channel, gate.state)]) }
        if let transition = learned.transition { announce(transition, channel: channel, gate: gate, last: result) }
    }

    /// Logs and alerts a change of a channel's breaker; a closed breaker lets its held deliveries go.
    private func announce(_ transition: CircuitBreaker.Transition, channel: String, gate: ChannelGate, last: TransportResult) {
        switch transition {
        case .opened:
            let reason = CircuitBreaker.openReason(channel: channel, state: gate.state, last: last)
            logger.critical("circuit breaker opened", metadata: ["channel": "\(channel)", "failures": "\(gate.state.consecutiveFailures)",
                                                                 "last": "\(CircuitBreaker.describe(last))", "probe_at": "\(gate.state.openUntil.map(TimestampFormat.string) ?? "-")"])
            alerts?.post("crier stopped sending to channel '\(channel)': \(reason)", failingChannel: channel)
        case .reopened(let until):
            logger.error("circuit breaker probe failed; open again", metadata: ["channel": "\(channel)", "last": "\(CircuitBreaker.describe(last))",
                                                                                  "probe_at": "\(TimestampFormat.string(until))"])
        case .closed:
            logger.notice("circuit breaker closed; the channel is sending again", metadata: ["channel": "\(channel)"])
            alerts?.post("crier is sending to channel '\(channel)' again: it answered after the circuit breaker had stopped it.",
                         failingChannel: channel)
            release(heldByBreaker: gate.takeHeldByBreaker())
        }
    }

    private func release(heldByBreaker held: Set<DeliveryKey>) {
        let now = clock.now()
        for key in held where posts[key.post]?.records[key]?.status == .pending { due.schedule(key, at: now) }
    }

    /// Channel states as the journal has them now: a breaker the operator closed there (`crier
    /// resume CHANNEL`) is closed here too, and its deliveries go at once.
    /// Alerts (once per token) about tokens that cannot be refreshed and expire within a week; the
    /// daemon calls this at start and every hour.
    public func warnAboutExpiringTokens() {
        dispatchPrecondition(condition: .onQueue(queue))
        for (channel, message) in sessions.newExpiryWarnings(now: clock.now()) {
            logger.warning("token expiring", metadata: ["channel": "\(channel)", "what": "\(message)"])
            alerts?.post("crier: \(message).", failingChannel: channel)
        }
    }

    /// Sessions a command stored meanwhile (`crier auth`): newer ones replace the engine's.
    public func update(sessions stored: [String: ChannelSession]) {
        dispatchPrecondition(condition: .onQueue(queue))
        sessions.adopt(stored)
        pump()
    }

    public func update(channelStates: [String: ChannelState]) {
        dispatchPrecondition(condition: .onQueue(queue))
        for (channel, gate) in gates where gate.state.isOpen && channelStates[channel].map({ !$0.isOpen }) ?? false {
            logger.notice("circuit breaker closed by the operator", metadata: ["channel": "\(channel)"])
            release(heldByBreaker: gate.closeBreaker())
        }
        // What the shared store said about a channel may have changed (a breaker closed on another
        // node): the next claim asks again.
        for (channel, gate) in gates where gate.clusterNotBefore != nil && !(channelStates[channel]?.isOpen ?? false) {
            gate.clusterNotBefore = nil
        }
        pump()
    }

    /// Stores a changed record, journals it, and schedules whatever follows once it is durable.
    func finish(_ key: DeliveryKey, record: DeliveryRecord, in active: ActivePost, after first: JournalChange? = nil) {
        if record.status.isFinal, record.status != .sent { observer?(.ended(key, status: record.status, reason: record.error)) }
        active.records[key] = record
        outstanding += 1
        active.unsavedChanges += 1
        // Everything that reaches `finish` was journaled before it was scheduled; the next step (or
        // retry) is scheduled only once this outcome and its progress are durable.
        var changes: [JournalChange] = (first.map { [$0] } ?? []) + [.updateDelivery(record)]
        if !options.dryRun, let line = historyOfEnd(record, now: clock.now()) { changes.append(line) }
        batch.commit(changes) { [weak self] in
            guard let self else { return }
            self.outstanding -= 1
            self.posts[key.post]?.unsavedChanges -= 1
            if record.status == .pending, let dueAt = record.dueAt, let active = self.posts[key.post],
               active.records[key]?.status == .pending, active.hasContent, !active.fileRemoved {
                self.due.schedule(key, at: dueAt)
            }
            if record.status == .sent { self.scheduleReady(key.post) }
            if record.status.isFinal { self.finalizeIfDone(key.post) }
            self.pump()
        }
        pump()
        // A thread's later parts wait for this one: when it ends without being sent, they end too
        // (else they would wait for good and the post would never be filed).
        let next = DeliveryKey(post: key.post, channel: key.channel, part: key.part + 1)
        if record.status.isFinal, record.status != .sent, var later = active.records[next], later.status == .pending,
           !active.inFlight.contains(next), later.progress.uncertainStep == nil {
            let cascaded = record.error.map { $0.hasPrefix("not sent: part ") } ?? false
            let reason = cascaded ? record.error ?? "" : "not sent: part \(key.part) of this thread \(record.status.rawValue)"
            if record.status == .cancelled { later.cancel(at: clock.now(), reason: reason) } else { later.refuse(at: clock.now(), reason: reason) }
            finish(next, record: later, in: active)
        }
    }

    /// Wakes the settle waiters and the `once` idle handler when their condition holds; called at
    /// the end of everything that can lower `inFlight` or `outstanding` or hand the journal batch over.
    func checkIdle() {
        if batch.changeCount &- changesAtLastTrim > Self.trimEveryChanges, isSettled {
            // A burst is over (a large queue picked up, a backlog sent): what malloc kept of it goes
            // back to the system, so a daemon that took in 100,000 posts does not keep their peak.
            changesAtLastTrim = batch.changeCount
            DispatchQueue.global(qos: .utility).async { _ = ccrier_malloc_trim() }
        }
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
