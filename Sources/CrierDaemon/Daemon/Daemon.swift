import CCrierLinux
import CrierCore
import CrierCurl
import Foundation
import Glibc
import Logging

/// `crier run`: wires the parts together and runs until SIGTERM/SIGINT (or, with `--once`, until
/// nothing more is due). The path of a post: `QueueWatcher` → `QueueIntake` → `DeliveryEngine` →
/// `PlatformAdapter` → `Transport` → `Journal` → `PostFiler`.
public final class Daemon: @unchecked Sendable {
    // Confinement: set up in `run()` before any queue is started and before the signal handlers
    // are installed; afterwards only read, except `runtime` and `stopping`, which are used only on
    // the control queue (see `DaemonQueues`).
    private let configPath: String
    private let queueOverride: String?
    private let options: EngineOptions
    private let logger: Logger
    private let loader: ConfigLoader

    private let queues = DaemonQueues()
    private var controlQueue: DispatchQueue { queues.control }
    private var engineQueue: DispatchQueue { queues.engine }
    private var intakeQueue: DispatchQueue { queues.intake }
    private var runtime: RuntimeConfig!
    private var engine: DeliveryEngine!
    private var intake: QueueIntake!
    private var watcher: QueueWatcher?
    private var rescanTimer: DispatchSourceTimer?
    private var signalSources: [DispatchSourceSignal] = []
    private var transport: (any Transport)!
    private var journal: (any Journal)!
    private var filer: PostFiler!
    private var stopping = false
    private var layout: QueueLayout!
    private let notifier: SystemdNotifier?
    private var heartbeat: DispatchSourceTimer?
    /// Hourly: alerts about tokens that cannot be refreshed and expire within a week.
    private var tokenWatch: DispatchSourceTimer?
    private let finished = DispatchSemaphore(value: 0)
    private var exitCode: Int32 = 0

    public init(configPath: String, queueOverride: String?, options: EngineOptions, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.configPath = configPath
        self.queueOverride = queueOverride
        self.options = options
        self.logger = logger
        self.loader = ConfigLoader(environment: environment)
        self.notifier = SystemdNotifier(environment: environment)
    }

    /// Runs the daemon; returns the process exit status.
    public func run() throws(DaemonError) -> Int32 {
        switch loader.load(path: configPath) {
        case .failure(let failure):
            throw DaemonError("the config has problems:\n\(failure)\nFix them and start again (`crier check` lists them; a platform that cannot be delivered yet shows there as a warning).")
        case .success(let loaded):
            runtime = loaded.runtime
            for warning in loaded.warnings {
                logger.warning("config warning", metadata: ["config": "\(configPath)", "line": "\(warning.line ?? 0)",
                                                            "field": "\(warning.field)", "problem": "\(warning.message)"])
            }
        }
        let layout = QueueLayout(root: queueOverride ?? runtime.config.queue ?? "queue", store: runtime.config.store,
                                 storePassword: runtime.storePassword?.value)
        self.layout = layout
        var lock: QueueLock?
        if options.dryRun {
            guard ((try? FileOperations.signature(layout.root)) ?? nil) != nil else {
                throw DaemonError("queue directory \(layout.root) does not exist")
            }
        } else {
            do {
                try layout.create()
            } catch {
                throw DaemonError("cannot create the queue directories: \(error)")
            }
            lock = try QueueLock(layout: layout)
        }
        let rebuild = "crier journal rebuild --config \(configPath)\(queueOverride.map { " --queue \($0)" } ?? "")"
        let orphaned = JournalRebuild.orphanedReceipts(in: layout)
        if orphaned > 0, !options.dryRun {
            throw DaemonError("\(layout.journal) is missing, but \(orphaned) receipts in sent/, failed/ and cancelled/ show that crier has delivered "
                              + "from this queue before: starting without it would send those posts again under new ids and forget the throttles. "
                              + "Rebuild it from the receipts with `\(rebuild)`, then start again.")
        }
        do {
            let access: JournalStore.Access = options.dryRun ? .scratchCopy : .readWrite
            journal = try SharedStoreWait(logger: logger, notifier: notifier, waits: !options.once)
                .open { () throws(JournalError) in try JournalStore.open(layout, access: access) }
        } catch {
            throw DaemonError("\(error)\nIf the journal is damaged, `\(rebuild) --replace` moves it aside and rebuilds it from the receipts.")
        }
        let delivery = runtime.config.delivery
        transport = options.dryRun ? RecordingTransport(keepsRequests: false) : CurlTransport(options: TransportOptions(
            connectTimeout: delivery.connectTimeout, totalTimeout: delivery.timeout, maxConcurrentTransfers: delivery.maxInFlight))
        filer = PostFiler(layout: layout, dryRun: options.dryRun, logger: logger)
        let intakeQueue = self.intakeQueue
        // A dry run derives images in memory: it writes nothing to the state directory.
        let media = options.dryRun ? DerivedMediaSource(root: layout.root, cache: DerivedImageCache(directory: nil))
            : DerivedMediaSource(layout: layout)
        engine = DeliveryEngine(queue: engineQueue, runtime: runtime, journal: journal, transport: transport, filer: filer,
                                clock: SystemWallClock(), timer: DispatchWakeupTimer(queue: engineQueue), options: options, logger: logger,
                                media: media, onMovingOut: { [weak self] name in
                                    guard let self else { return }
                                    intakeQueue.async { self.intake?.forget(name) }
                                })
        let engine = self.engine!
        engine.setAlerts(AlertPoster(layout: layout, channel: runtime.config.alerts, dryRun: options.dryRun, logger: logger))
        // The journal is the source of truth for what is pending: the schedule is restored from it
        // without reading a post file, and the intake re-reads only files that changed since.
        let loader = PostLoader(layout: layout, preparer: media, logger: logger)
        // Media of other nodes' posts placed by an earlier run are read again from the store when needed.
        if journal.cluster != nil, !options.dryRun { loader.remoteMedia.removeAll() }
        let restored: Result<[String: FileSignature], JournalError> = engineQueue.sync {
            engine.setPostLoader(loader)
            return Result { () throws(JournalError) in
                try engine.restore()
                return engine.restoredFileSignatures()
            }
        }
        let journaledFiles: [String: FileSignature]
        switch restored {
        case .failure(let error): throw DaemonError("\(error)")
        case .success(let signatures): journaledFiles = signatures
        }
        intake = QueueIntake(layout: layout, queue: intakeQueue, config: runtime.config, logger: logger) { events in
            engine.queue.async { engine.handle(events) }
        }
        intake?.mediaPreparer = media
        intake?.keepsSource = journal.cluster != nil
        intake?.seed(journaledFiles)
        do {
            let intake = self.intake!
            watcher = try QueueWatcher(directory: layout.root, queue: intakeQueue) { [weak self] events in
                intake.handle(events)
                guard let self, events.contains(where: Self.touchesControl) else { return }
                self.controlQueue.async { self.reloadControl() }
            }
        } catch {
            throw DaemonError("cannot watch \(layout.root) with inotify: \(error)")
        }
        // From here on `runtime` belongs to the control queue (a SIGHUP may replace it): what the
        // start-up line needs is read before the handlers exist, and the line is logged after
        // them, so "crier started" means signals are handled.
        let startedMetadata: Logger.Metadata = ["queue": "\(layout.root)", "config": "\(configPath)",
                                                "channels": "\(runtime.config.channelNames.joined(separator: ","))",
                                                "mode": "\(options.dryRun ? "dry-run" : "live")\(options.once ? ",once" : "")"]
        controlQueue.sync {
            reloadControl()
            installSignalHandlers()
        }
        startRescanTimer(interval: delivery.rescanInterval)
        startTokenWatch()
        logger.info("crier started", metadata: startedMetadata)
        // Ready once the schedule is restored from the journal: the queue directory is reconciled
        // with it in the background (files whose signature matches the journal's are not read).
        engineQueue.async {
            self.notifier?.ready()
            self.reportStatus()
        }
        intakeQueue.async {
            self.intake.rescan()
            // Queued behind the scan's results: the start-up peaks (the journal's rows, the parsed
            // files) are over, and what malloc kept of them goes back to the system.
            self.engineQueue.async {
                self.reportStatus()
                _ = ccrier_malloc_trim()
            }
        }
        startHeartbeat()
        if let cluster = journal.cluster, !options.dryRun {
            logger.info("sharing the store with other nodes", metadata: ["store": "\(journal.path)", "node": "\(cluster.node)",
                                                                       "lease": "\(DurationParser.format(cluster.lease))"])
            cluster.start(queueRoot: layout.root, onControl: { [weak self] in
                guard let self else { return }
                self.controlQueue.async { self.reloadControl() }
            }, onPosts: {
                engine.queue.async { engine.syncRemotePosts() }
            }, onHealth: { [weak self] problem in
                guard let self else { return }
                if let problem {
                    self.logger.error("the shared store does not answer; this node holds its claims until their lease ends and keeps taking in files (retrying)",
                                      metadata: ["error": "\(problem)"])
                } else {
                    self.logger.notice("the shared store answers again")
                }
                engine.queue.async { engine.clusterProblem = problem }
            })
        }
        if options.once {
            engineQueue.async {
                engine.onIdle { [weak self] in
                    guard let self else { return }
                    self.controlQueue.async { self.stop(reason: "nothing more is due") }
                }
            }
        }
        finished.wait()
        withExtendedLifetime(lock) {}
        return exitCode
    }

    /// `queue/PAUSE` appeared, changed or went, or `crier pause`/`resume`/`resolve` touched the
    /// control stamp.
    private static func touchesControl(_ event: QueueWatcher.Event) -> Bool {
        switch event {
        case .completed(let name), .writing(let name), .removed(let name):
            return name == "PAUSE" || name == QueueLayout.controlStampName
        case .rescanNeeded:
            return true
        }
    }

    /// Reads the pauses (journal and `queue/PAUSE`) and the operator's resolutions of `unknown`
    /// deliveries, and hands them to the engine.
    private func reloadControl() {
        dispatchPrecondition(condition: .onQueue(controlQueue))
        // A failed read keeps the pauses in force (nil: unknown), never lifts them.
        var pauses: [String: PauseRecord]?
        do {
            pauses = try journal.pauses()
        } catch {
            logger.error("cannot read the pauses; the ones in force stay until they can be read", metadata: ["error": "\(error)"])
        }
        let resolutions = (try? journal.resolutions()) ?? []
        let channelStates = try? journal.channelStates()
        let sessions = try? journal.sessions()
        let approvals = try? journal.approvals()
        var fileReason: String?
        if FileManager.default.fileExists(atPath: layout.pauseFile) {
            let text = (try? String(contentsOfFile: layout.pauseFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            fileReason = text.isEmpty ? "no reason given" : text
        }
        if let cluster = journal.cluster, !options.dryRun {
            // This node's queue/PAUSE pauses every node: published while the file is there.
            let scope = PauseRecord.pauseFileScopePrefix + cluster.node
            if let fileReason, pauses?[scope]?.reason != fileReason {
                let record = PauseRecord(scope: scope, reason: fileReason, pausedBy: "queue/PAUSE on node \(cluster.node)", pausedAt: Date())
                try? journal.commitNow([.pause(record)])
                pauses?[scope] = record
            } else if fileReason == nil, pauses?[scope] != nil {
                try? journal.commitNow([.resume(scope: scope)])
                pauses?[scope] = nil
            }
        }
        let engine = self.engine!
        let reason = fileReason
        let current = pauses
        engineQueue.async {
            engine.update(pauses: current ?? engine.pauses, pauseFileReason: reason)
            if let channelStates { engine.update(channelStates: channelStates) }
            if let sessions { engine.update(sessions: sessions) }
            if let approvals { engine.update(approvals: approvals) }
            if !resolutions.isEmpty { engine.apply(resolutions) }
        }
    }

    private func startRescanTimer(interval: TimeInterval) {
        let timer = DispatchSource.makeTimerSource(queue: intakeQueue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .seconds(1))
        timer.setEventHandler { [weak self] in self?.intake.periodicRescan() }
        timer.resume()
        rescanTimer = timer
    }

    private func installSignalHandlers() {
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: controlQueue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if signalNumber == SIGHUP {
                    self.reload()
                } else {
                    self.stop(reason: signalNumber == SIGTERM ? "SIGTERM" : "SIGINT")
                }
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Runs on the engine's own queue, so a stuck scheduler stops the watchdog pings (and systemd
    /// restarts it): WATCHDOG=1 at half of WATCHDOG_USEC, STATUS= every few seconds.
    private func startTokenWatch() {
        let timer = DispatchSource.makeTimerSource(queue: engineQueue)
        timer.schedule(deadline: .now(), repeating: 3600, leeway: .seconds(60))
        timer.setEventHandler { [weak self] in self?.engine?.warnAboutExpiringTokens() }
        timer.resume()
        tokenWatch = timer
    }

    private func startHeartbeat() {
        guard let notifier else { return }
        let interval = min(notifier.watchdogInterval ?? 5, 5)
        let timer = DispatchSource.makeTimerSource(queue: engineQueue)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(50))
        var ticks = 0.0
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            if notifier.watchdogInterval != nil { notifier.watchdog() }
            ticks += interval
            if ticks >= 5 {
                ticks = 0
                self.reportStatus()
            }
        }
        timer.resume()
        heartbeat = timer
    }

    /// STATUS= line for `systemctl status`: pending deliveries, in flight, next send.
    private func reportStatus() {
        dispatchPrecondition(condition: .onQueue(engineQueue))
        guard let notifier else { return }
        let summary = engine.summary()
        let next = summary.nextDue.map { TimestampFormat.string($0) } ?? "none"
        let paused = summary.paused > 0 ? ", \(summary.paused) held by a pause" : ""
        let unknown = summary.unknown > 0 ? ", \(summary.unknown) unknown (see crier status)" : ""
        if let problem = engine.clusterProblem {
            notifier.status("SHARED STORE UNREACHABLE, not claiming (retrying): \(problem); \(summary.pending) pending")
            return
        }
        if let problem = engine.journalProblem {
            notifier.status("JOURNAL CANNOT BE WRITTEN, sends stopped (retrying): \(problem); \(summary.pending) pending")
            return
        }
        notifier.status("\(summary.pending) pending, \(summary.inFlight) in flight, next send \(next)\(paused)\(unknown)")
    }

    /// SIGHUP: load the config again; keep the running one if the new one has problems.
    private func reload() {
        dispatchPrecondition(condition: .onQueue(controlQueue))
        notifier?.reloading()
        defer { notifier?.ready() }
        logger.info("reloading config", metadata: ["config": "\(configPath)"])
        switch loader.load(path: configPath) {
        case .failure(let failure):
            for problem in failure.problems {
                logger.error("config reload refused; keeping the running config",
                             metadata: ["config": "\(configPath)", "line": "\(problem.line ?? 0)", "field": "\(problem.field)", "problem": "\(problem.message)"])
            }
        case .success(let loaded):
            if loaded.runtime.config.queue != runtime.config.queue || loaded.runtime.config.delivery != runtime.config.delivery {
                logger.warning("queue and delivery settings change only on restart", metadata: ["config": "\(configPath)"])
            }
            runtime = loaded.runtime
            let runtime = loaded.runtime
            let alerts = AlertPoster(layout: layout, channel: runtime.config.alerts, dryRun: options.dryRun, logger: logger)
            engineQueue.async {
                self.engine.setAlerts(alerts)
                self.engine.update(runtime: runtime)
            }
            intakeQueue.async {
                self.intake.update(config: runtime.config)
                self.intake.rescan()
            }
            logger.info("config reloaded", metadata: ["channels": "\(runtime.config.channelNames.joined(separator: ","))"])
        }
    }

    /// Stop taking work, let in-flight transfers finish (up to the drain timeout), record everything,
    /// then let `run()` return 0. Abandoned transfers stay pending with their delivery ids.
    private func stop(reason: String) {
        dispatchPrecondition(condition: .onQueue(controlQueue))
        guard !stopping else { return }
        stopping = true
        notifier?.stopping()
        logger.info("crier stopping", metadata: ["reason": "\(reason)"])
        heartbeat?.cancel()
        tokenWatch?.cancel()
        rescanTimer?.cancel()
        // Not waited for: a shutdown completes within the drain timeout whatever intake is doing.
        let watcher = self.watcher
        intakeQueue.async { watcher?.stop() }
        engineQueue.sync { engine.stopAccepting() }
        let grace = runtime.config.delivery.drainTimeout
        DispatchQueue.global().async {
            self.transport.shutdown(graceSeconds: grace)
            self.engineQueue.sync {}
            self.journal.waitForPendingCommits()
            self.filer.waitUntilIdle()
            self.engineQueue.sync {}
            self.journal.waitForPendingCommits()
            // Only now: the leases of what was in flight were renewed while it drained.
            self.journal.cluster?.stop()
            self.logger.info("crier stopped")
            self.finished.signal()
        }
    }
}
