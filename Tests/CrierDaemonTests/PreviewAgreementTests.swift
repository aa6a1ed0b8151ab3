import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// The preview is the plan: for a random queue, `PreviewPlanner` and the engine driven by a manual
/// clock with the recording transport produce the same (channel, time, text) for every delivery.
@Suite struct PreviewAgreementTests {
    struct Send: Hashable, CustomStringConvertible {
        var channel: String
        var at: Date
        var text: String
        var description: String { "\(channel) \(TimestampFormat.string(at)) \(text.prefix(30))" }
    }

    static let config = """
        timezone: Europe/Berlin
        defaults: { stagger: 90s }
        delivery: { settle_time: 0s }
        channels:
          news:
            platform: webhook
            url: http://127.0.0.1:9/news
            limits: { per_hour: 4, min_gap: 5m, jitter: 2m }
          night:
            platform: webhook
            url: http://127.0.0.1:9/night
            limits: { quiet: "20:00-08:00", min_gap: 1m }
          slotted:
            platform: webhook
            url: http://127.0.0.1:9/slotted
            slots: ["mon-fri 09:00", "mon-fri 13:30", "sat 11:00", "sun 02:30"]
          bursty:
            platform: webhook
            url: http://127.0.0.1:9/bursty
            limits: { per_minute: 3, max_in_flight: 2 }
          careful:
            platform: webhook
            url: http://127.0.0.1:9/careful
            duplicates: { policy: hold, window: 2h }
            limits: { per_day: 20 }
        """

    static let words = ["release", "swift", "thanks", "build", "faster", "dashboard", "community", "call", "plugin",
                        "server", "linux", "daemon", "queue", "channel", "notes", "today", "meetup", "docs", "bug", "fix"]

    /// A random queue: posts with random channels, some scheduled, some near-duplicates.
    static func writeQueue(into directory: TemporaryDirectory, seed: UInt64, now: Date) {
        var random = FastRandom(seed: seed)
        let channels = ["news", "night", "slotted", "bursty", "careful"]
        for index in 0..<60 {
            var picked = channels.filter { _ in random.next() % 3 == 0 }
            if picked.isEmpty { picked = [channels[Int(random.next() % 5)]] }
            let count = 5 + Int(random.next() % 12)
            let text = index % 9 == 4 ? "Thanks everyone for coming to the meetup today!"
                                      : (0..<count).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ")
            var front = "channels: [\(picked.joined(separator: ", "))]\n"
            if random.next() % 4 == 0 {
                front += "at: \(TimestampFormat.string(now.addingTimeInterval(Double(random.next() % 200_000))))\n"
            }
            directory.write("---\n\(front)---\n\(text) \(index)\n", to: String(format: "queue/p%03d.md", index))
        }
    }

    @Test(arguments: [UInt64(1), 7, 42])
    func previewAndDaemonAgreeOnEveryDelivery(seed: UInt64) throws {
        let now = Date(timeIntervalSince1970: 1_795_334_400) // Sunday 2026-11-22 08:00Z
        // The preview, through the real queue directory.
        let source = TemporaryDirectory(prefix: "crier-agree")
        Self.writeQueue(into: source, seed: seed, now: now)
        let config = try #require(ConfigParser.parse(Self.config).config)
        let report = try PreviewPlanner(config: config, layout: QueueLayout(root: source.path + "/queue")).plan(paths: [], now: now)
        var planned = Set<Send>()
        for post in report.posts {
            for delivery in post.deliveries {
                if let at = delivery.at { planned.insert(Send(channel: delivery.channel, at: at, text: delivery.parts[0].text)) }
            }
        }

        // The daemon's engine, with a manual clock, stepping its own timer.
        let recorded = Recorded<Send>()
        let box = ClockBox()
        let transport = RecordingTransport(onSend: { request in
            let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
            let data = object?["data"] as? [String: Any]
            recorded.append(Send(channel: data?["channel"] as? String ?? "?", at: box.clock!.now(), text: data?["text"] as? String ?? ""))
        })
        let harness = try EngineHarness(configText: Self.config, transport: transport)
        box.clock = harness.clock
        harness.clock.set(now)
        Self.writeQueue(into: harness.directory, seed: seed, now: now)
        harness.scan()
        for _ in 0..<10_000 {
            harness.settle()
            guard harness.queue.sync(execute: { harness.timer.armedAt }) != nil else { break }
            harness.fireTimer()
        }
        harness.settle()
        let sent = Set(recorded.all)
        #expect(planned.count > 40, "the random queue plans a good number of sends")
        #expect(sent == planned, "only in preview: \(planned.subtracting(sent).sorted { $0.at < $1.at }.prefix(5)); only sent: \(sent.subtracting(planned).sorted { $0.at < $1.at }.prefix(5))")
    }
}
