import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Logging

/// A real engine on a real temporary queue and journal, with a manual clock and timer and a given
/// transport, fed by the real intake.
final class EngineHarness: @unchecked Sendable {
    let directory: TemporaryDirectory
    let layout: QueueLayout
    let clock = ManualWallClock()
    let timer = ManualWakeupTimer()
    let journal: any Journal
    let engine: DeliveryEngine
    let intake: QueueIntake
    let queue = DispatchQueue(label: "test.engine")
    let intakeQueue = DispatchQueue(label: "test.intake")
    /// The names of the files the intake read and handed over (parsed or invalid).
    let filesRead: Recorded<String>

    /// - Parameters:
    ///   - directory: an earlier harness's directory, to start again on its queue and journal (a
    ///     restart after the earlier engine was stopped dead).
    ///   - routing: changes the loaded config (e.g. puts a fake platform's adapter behind a channel).
    ///   - alerts: whether alerts are dropped into the queue (needs `alerts:` in the config).
    ///   - derivesMedia: images are made to fit each platform at intake (`DerivedMediaSource`), as the daemon does.
    ///   - loadsPosts: as the daemon: posts due later than `loadAhead` are kept out of memory and read
    ///     again when they come near, and a restart restores them from the journal without reading
    ///     files whose signature the journal has.
    init(configText: String, transport: any Transport, journalPath: String? = nil, directory: TemporaryDirectory = TemporaryDirectory(),
         routing: (RuntimeConfig) -> RuntimeConfig = { $0 }, alerts: Bool = false, derivesMedia: Bool = false,
         loadsPosts: Bool = false, options: EngineOptions = EngineOptions()) throws {
        self.directory = directory
        layout = QueueLayout(root: directory.path + "/queue")
        try layout.create()
        let configPath = directory.write(configText, to: "crier.yml")
        let runtime = routing(try ConfigLoader(environment: [:]).load(path: configPath).get().runtime)
        journal = try SQLiteJournal(path: journalPath ?? layout.journal)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let filer = PostFiler(layout: layout, dryRun: false, logger: logger)
        let derived = derivesMedia ? DerivedMediaSource(layout: layout) : nil
        engine = DeliveryEngine(queue: queue, runtime: runtime, journal: journal, transport: transport, filer: filer,
                                clock: clock, timer: timer, options: options, logger: logger,
                                media: derived ?? QueueMediaSource(root: layout.root))
        let engine = self.engine
        if alerts { engine.setAlerts(AlertPoster(layout: layout, channel: runtime.config.alerts, dryRun: false, logger: logger)) }
        let filesRead = Recorded<String>()
        self.filesRead = filesRead
        intake = QueueIntake(layout: layout, queue: intakeQueue, config: runtime.config, logger: logger) { events in
            for event in events {
                switch event {
                case .post(let parsed): filesRead.append(parsed.name)
                case .invalid(let name, _): filesRead.append(name)
                default: break
                }
            }
            engine.queue.async { engine.handle(events) }
        }
        intake.mediaPreparer = derived
        let loader = loadsPosts ? PostLoader(layout: layout, preparer: derived, logger: logger) : nil
        let journaledFiles = try queue.sync {
            if let loader { engine.setPostLoader(loader) }
            try engine.restore()
            return loadsPosts ? engine.restoredFileSignatures() : [:]
        }
        intakeQueue.sync { intake.seed(journaledFiles) }
    }

    /// Writes a post file and hands it to the intake as a completed write.
    func drop(_ name: String, _ text: String) {
        directory.write(text, to: "queue/\(name)")
        intakeQueue.sync { intake.handle([.completed(name)]) }
    }

    func scan() {
        intakeQueue.sync { intake.rescan() }
    }

    /// Advances the clock to the armed time and fires the timer.
    func fireTimer() {
        queue.sync {
            if let at = timer.armedAt, at > clock.now() { clock.set(at) }
            timer.fire()
        }
    }

    func settle() {
        engine.waitUntilSettled(intakeQueue: intakeQueue)
    }

    func receipt(_ directoryName: String, _ stem: String) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: "\(layout.root)/\(directoryName)/\(stem).receipt.json") else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}

func webhookConfig(url: String = "http://127.0.0.1:9/hook", channels: [String] = ["ops"], retry: String = "{ base: 10s, max_attempts: 3 }") -> String {
    var text = "timezone: UTC\nretry: \(retry)\ndelivery: { settle_time: 0s }\nchannels:\n"
    for channel in channels {
        text += "  \(channel):\n    platform: webhook\n    url: \(url)\n    secret: \(WebhookSink.secret)\n"
    }
    return text
}
