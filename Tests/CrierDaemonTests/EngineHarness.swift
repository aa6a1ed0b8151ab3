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

    /// - Parameters:
    ///   - directory: an earlier harness's directory, to start again on its queue and journal (a
    ///     restart after the earlier engine was stopped dead).
    ///   - routing: changes the loaded config (e.g. puts a fake platform's adapter behind a channel).
    ///   - alerts: whether alerts are dropped into the queue (needs `alerts:` in the config).
    ///   - derivesMedia: images are made to fit each platform at intake (`DerivedMediaSource`), as the daemon does.
    init(configText: String, transport: any Transport, journalPath: String? = nil, directory: TemporaryDirectory = TemporaryDirectory(),
         routing: (RuntimeConfig) -> RuntimeConfig = { $0 }, alerts: Bool = false, derivesMedia: Bool = false) throws {
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
                                clock: clock, timer: timer, options: EngineOptions(), logger: logger,
                                media: derived ?? QueueMediaSource(root: layout.root))
        let engine = self.engine
        if alerts { engine.setAlerts(AlertPoster(layout: layout, channel: runtime.config.alerts, dryRun: false, logger: logger)) }
        intake = QueueIntake(layout: layout, queue: intakeQueue, config: runtime.config, logger: logger) { events in
            engine.queue.async { engine.handle(events) }
        }
        intake.mediaPreparer = derived
        try queue.sync { try engine.restore() }
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
