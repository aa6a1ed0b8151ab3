import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// Throttles against the real binary and a receiver that logs arrival times. Arrival times lag send
/// times by loopback latency, so the analysis allows `slack` seconds of jitter in the receiver's log.
@Suite(.serialized) struct ThrottleEndToEndTests {
    static let slack: TimeInterval = 0.05

    struct Limits {
        var perMinute: Int?
        var minGap: TimeInterval
        var maxInFlight: Int
        var yaml: String {
            var parts = ["min_gap: \(Int(minGap * 1000))ms", "max_in_flight: \(maxInFlight)"]
            if let perMinute { parts.append("per_minute: \(perMinute)") }
            return "{ \(parts.joined(separator: ", ")) }"
        }
    }

    /// Every violation of a channel's limits in its arrival times.
    static func violations(_ arrivals: [Date], _ limits: Limits) -> [String] {
        let times = arrivals.sorted()
        var found: [String] = []
        if limits.maxInFlight == 1 {
            for (a, b) in zip(times, times.dropFirst()) where b.timeIntervalSince(a) < limits.minGap - slack {
                found.append("gap \(b.timeIntervalSince(a)) < \(limits.minGap)")
            }
        }
        if let perMinute = limits.perMinute {
            for index in times.indices where index >= perMinute {
                let span = times[index].timeIntervalSince(times[index - perMinute])
                if span < 60 - slack { found.append("\(perMinute + 1) arrivals within \(span)s") }
            }
        }
        return found
    }

    @Test func twentyChannelsTwoThousandPostsThreeCrashesNoViolation() throws {
        let names = (0..<20).map { String(format: "ch%02d", $0) }
        var limits: [String: Limits] = [:]
        for (index, name) in names.enumerated() {
            limits[name] = Limits(perMinute: index % 2 == 0 ? 60 + index * 2 : nil,
                                  minGap: 0.02 + Double(index % 5) * 0.04, maxInFlight: index % 4 == 3 ? 2 : 1)
        }
        let installation = try Installation(channels: names)
        var text = "queue: \(installation.queue)\ntimezone: UTC\nretry: { base: 200ms, max_delay: 1s }\ndelivery: { rescan: 2s, settle_time: 300ms }\nchannels:\n"
        for name in names {
            text += "  \(name):\n    platform: webhook\n    url: \(installation.sinks[name]!.url)\n    secret: \(WebhookSink.secret)\n    limits: \(limits[name]!.yaml)\n"
        }
        installation.writeConfig(raw: text)
        let staging = installation.directory.path + "/staging"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for index in 0..<2000 {
            let channel = names[index % names.count]
            installation.directory.write("---\nchannels: [\(channel)]\n---\nUpdate \(index): \(UInt64(index) &* 0x9E3779B97F4A7C15)\n",
                                         to: "staging/" + String(format: "post-%04d.md", index))
        }
        var daemon = try installation.daemon()
        #expect(daemon.waitForLog("crier started", timeout: 30))
        installation.copyIn(staging)
        for crash in 1...3 {
            Thread.sleep(forTimeInterval: 6)
            daemon.kill(SIGKILL)
            #expect(daemon.waitForExit(timeout: 10))
            daemon = try installation.daemon()
            #expect(daemon.waitForLog("crier started", timeout: 30), "restart \(crash)")
        }
        let done = eventually(timeout: 240) { installation.count("sent", suffix: ".receipt.json") == 2000 }
        #expect(done, "receipts: \(installation.count("sent", suffix: ".receipt.json"))")
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        var all: [String] = []
        for name in names {
            let arrivals = installation.sinks[name]!.inbox.arrivals
            #expect(Set(arrivals.map(\.webhookID)).count == 100, "\(name): every post arrived")
            all += Self.violations(arrivals.map(\.receivedAt), limits[name]!).map { "\(name): \($0)" }
        }
        #expect(all.isEmpty, "\(all.prefix(10))")
    }

    @Test func droppingPauseStopsSendsWithinASecondAndRemovingItResumesWithoutABurst() throws {
        let installation = try Installation(channels: ["steady"])
        let gap = 0.1
        installation.writeConfig(raw: """
            queue: \(installation.queue)
            timezone: UTC
            delivery: { settle_time: 300ms }
            channels:
              steady:
                platform: webhook
                url: \(installation.sinks["steady"]!.url)
                secret: \(WebhookSink.secret)
                limits: { min_gap: 100ms }
            """)
        let daemon = try installation.daemon()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30))
        for index in 0..<80 {
            installation.directory.write("---\nchannels: [steady]\n---\nTick \(index): \(UInt64(index) &* 0xBF58476D1CE4E5B9)", to: String(format: "queue/t%03d.md", index))
        }
        let inbox = installation.sinks["steady"]!.inbox
        #expect(eventually(timeout: 30) { inbox.arrivals.count >= 10 })
        installation.directory.write("incident: all sends on hold", to: "queue/PAUSE")
        let pausedAt = Date()
        Thread.sleep(forTimeInterval: 3)
        let lateArrivals = inbox.arrivals.filter { $0.receivedAt > pausedAt.addingTimeInterval(1) }
        #expect(lateArrivals.isEmpty, "\(lateArrivals.count) arrived more than 1 s after PAUSE")
        let countWhilePaused = inbox.arrivals.count
        #expect(countWhilePaused < 80)
        let status = try installation.crier(["status"])
        #expect(status.output.contains("incident: all sends on hold"))
        try FileManager.default.removeItem(atPath: installation.queue + "/PAUSE")
        #expect(eventually(timeout: 60) { inbox.arrivals.count == 80 })
        let resumed = inbox.arrivals.map(\.receivedAt).sorted().filter { $0 > pausedAt.addingTimeInterval(1) }
        for (a, b) in zip(resumed, resumed.dropFirst()) {
            #expect(b.timeIntervalSince(a) >= gap - Self.slack, "no burst after resume")
        }
    }

    @Test func crierPauseOnAChannelHoldsItAndStatusSaysWhoAndWhy() throws {
        let installation = try Installation(channels: ["alpha", "beta"])
        let daemon = try installation.daemon()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30))
        let paused = try installation.crier(["pause", "beta", "--reason", "rebranding"])
        #expect(paused.status == 0, "\(paused.error)")
        #expect(daemon.waitForLog("paused", timeout: 5))
        installation.directory.write("---\nchannels: [alpha, beta]\n---\nHalf now, half later.", to: "queue/half.md")
        #expect(eventually(timeout: 10) { installation.sinks["alpha"]!.inbox.arrivals.count == 1 })
        Thread.sleep(forTimeInterval: 1)
        #expect(installation.sinks["beta"]!.inbox.arrivals.isEmpty)
        let status = try installation.crier(["status", "--json"])
        #expect(status.output.contains("rebranding"))
        #expect(try installation.crier(["resume", "beta"]).status == 0)
        #expect(eventually(timeout: 10) { installation.sinks["beta"]!.inbox.arrivals.count == 1 })
    }
}
