import CrierCore
import Foundation
import Glibc
import Logging

/// `crier preview`: the daemon's own pipeline — intake, engine, throttles, renderer, adapters — run on
/// the queue as it is (read-only) with an in-memory copy of the journal, a recording transport and a
/// manual clock stepped from one wake-up to the next. What it reports is what `crier run` would do,
/// because it is the same code.
public struct PreviewPlanner {
    public var config: CrierConfig
    public var layout: QueueLayout
    /// How far ahead to plan. The planning loop costs per event, not per day, so this can be long.
    public var horizon: TimeInterval = 50 * 365 * 86_400
    /// Whether each part's first request is reported (`crier preview --requests`).
    public var includeRequests = false

    public init(config: CrierConfig, layout: QueueLayout) {
        self.config = config
        self.layout = layout
    }

    /// Plans the pending posts of the queue, plus `paths` (files outside it, planned as if dropped
    /// at `now`); reports `paths` when given, else every pending post. Without `paths` the queue must
    /// exist (a mistyped `--queue` is an error, not an empty plan); with them, a missing queue only
    /// means there is no history to plan around (`queueIsMissing` lets the command say so).
    public func plan(paths: [String], now: Date) throws(DaemonError) -> PreviewReport {
        if paths.isEmpty, queueIsMissing {
            throw DaemonError("queue \(layout.root) does not exist; pass --queue DIR or set `queue:` in the config "
                              + "(a relative `queue:` is relative to the config file's directory)")
        }
        // The intake reads the queue itself (read-only: the filer is in dry-run mode) and the PATH
        // files in place, as an overlay; nothing is copied.
        var displayNames: [String: String] = [:]
        var reported: Set<String> = []
        var overlay: [String: String] = [:]
        let queued = ((try? FileOperations.listDirectory(layout.root)) ?? []).filter(QueueFileName.isPostCandidate).sorted()
        for name in queued {
            displayNames[name] = (queueDisplayRoot as NSString).appendingPathComponent(name)
            if paths.isEmpty { reported.insert(name) }
        }
        for path in paths {
            let name = (path as NSString).lastPathComponent
            guard QueueFileName.isPostCandidate(name) else {
                throw DaemonError("\(path): not a post file; use the extension .md, .markdown or .json")
            }
            if let reason = Self.unreadable(path) { throw DaemonError("cannot read \(path): \(reason)") }
            overlay[name] = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            displayNames[name] = path
            reported.insert(name)
        }

        let journal: any Journal
        do {
            journal = try JournalStore.open(layout, access: .scratchCopy)
        } catch {
            throw DaemonError("\(error)")
        }
        var quiet = Logger(label: "crier.preview")
        quiet.logLevel = .critical
        var runtimeConfig = config
        runtimeConfig.delivery.settleTime = 0
        var channels: [String: ResolvedChannel] = [:]
        for channel in config.channels {
            let adapter = PlatformAdapters.adapter(for: channel.platform)
            // The preview never reads secrets: adapters build their requests with placeholders,
            // also for the secrets of a channel set up before its account (a credential gap).
            var placeholders = channel.secrets.mapValues { _ in Secret.placeholder }
            let given = Set(channel.secrets.keys).union(channel.settings.keys)
            for key in PlatformDescriptor.of(channel.platform).missingSecrets(given: given) ?? [] { placeholders[key] = .placeholder }
            channels[channel.name] = ResolvedChannel(config: channel, secrets: placeholders, adapter: adapter)
        }
        let runtime = RuntimeConfig(config: runtimeConfig, channels: channels, path: "crier.yml")
        let clock = ManualWallClock(now)
        let timer = ManualWakeupTimer()
        let engineQueue = DispatchQueue(label: "crier.preview.engine")
        let intakeQueue = DispatchQueue(label: "crier.preview.intake")
        let engine = DeliveryEngine(queue: engineQueue, runtime: runtime, journal: journal, transport: RecordingTransport(keepsRequests: false),
                                    filer: PostFiler(layout: layout, dryRun: true, logger: quiet), clock: clock, timer: timer,
                                    options: EngineOptions(dryRun: true), logger: quiet, media: QueueMediaSource(root: layout.root))
        let recorder = PlanRecorder(keepsRequests: includeRequests)
        engine.setObserver { recorder.record($0) }
        let intake = QueueIntake(layout: layout, queue: intakeQueue, config: runtimeConfig, logger: quiet, overlay: overlay) { events in
            engineQueue.async { engine.handle(events) }
        }
        let restored: Result<Void, JournalError> = engineQueue.sync { Result { () throws(JournalError) in try engine.restore() } }
        if case .failure(let error) = restored { throw DaemonError("\(error)") }
        let pauses = (try? journal.pauses()) ?? [:]
        let pauseFile = (try? String(contentsOfFile: layout.pauseFile, encoding: .utf8)).map {
            $0.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty ?? "no reason given"
        }
        engineQueue.sync { engine.update(pauses: pauses, pauseFileReason: pauseFile) }
        intakeQueue.sync { intake.rescan() }

        let end = now.addingTimeInterval(horizon)
        while true {
            engine.waitUntilSettled(intakeQueue: intakeQueue)
            guard let next = timer.armedAt, next <= end else { break }
            if next > clock.now() { clock.set(next) }
            engineQueue.sync { timer.fire() }
        }
        // Images are derived as `crier run` would at intake, into memory: the preview writes nothing.
        let cache = DerivedImageCache(directory: nil)
        let report = recorder.report(reported: reported, displayNames: displayNames, config: config) { post, platform in
            let root = overlay[post.file].map { ($0 as NSString).deletingLastPathComponent } ?? layout.root
            return Result { () throws(MediaError) in
                try DerivedMediaSource(root: root, cache: cache).previewImages(of: post, platform: platform)
            }
        }
        return report
    }

    /// True when the queue directory does not exist.
    public var queueIsMissing: Bool {
        ((try? FileOperations.signature(layout.root)) ?? nil) == nil
    }

    /// Why `path` cannot be read (errno in words), or nil when it can.
    static func unreadable(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        close(fd)
        return nil
    }

    /// The queue as the user named it, for the `file` field (`queue/launch.md`).
    private var queueDisplayRoot: String {
        let current = FileManager.default.currentDirectoryPath
        return layout.root.hasPrefix(current + "/") ? String(layout.root.dropFirst(current.count + 1)) : layout.root
    }
}
