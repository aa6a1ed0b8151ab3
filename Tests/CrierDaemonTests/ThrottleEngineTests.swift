import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Synchronization
import Testing

/// The engine under the throttles, walked through with a manual clock: every send time is checked
/// against the channel's limits.
@Suite struct ThrottleEngineTests {
    typealias SendTimes = Recorded<Sent>

    struct Sent: Sendable {
        var channel: String
        var at: Date
    }


    func config(_ channel: String) -> String {
        "timezone: UTC\ndelivery: { settle_time: 0s }\nchannels:\n\(channel)"
    }

    /// Drops `count` posts and fires the timer until every one is sent (bounded).
    func run(_ harness: EngineHarness, sent: SendTimes, expecting count: Int, maxFires: Int = 500) {
        for _ in 0..<maxFires where sent.all.count < count {
            harness.settle()
            if harness.queue.sync(execute: { harness.timer.armedAt }) == nil {
                // Settle once more (commits may schedule follow-ups); if still nothing is armed,
                // nothing more will happen.
                harness.settle()
                if harness.queue.sync(execute: { harness.timer.armedAt }) == nil { break }
            }
            harness.fireTimer()
        }
        harness.settle()
    }

    func harness(_ channelYAML: String, sent: SendTimes, journal: String? = nil,
                 reply: @escaping @Sendable (OutgoingRequest) -> TransportResult = { _ in .success(TransportResponse(status: 200)) }) throws -> EngineHarness {
        let clockBox = ClockBox()
        let transport = RecordingTransport(onSend: { request in
            sent.append(Sent(channel: URL(string: request.url)?.lastPathComponent ?? "?", at: clockBox.clock?.now() ?? Date()))
        }, reply: reply)
        let harness = try EngineHarness(configText: config(channelYAML), transport: transport, journalPath: journal)
        clockBox.clock = harness.clock
        return harness
    }

    @Test func rateWindowsAndMinimumGapHold() throws {
        let sent = SendTimes()
        let harness = try harness("  slow:\n    platform: webhook\n    url: http://127.0.0.1:9/slow\n    limits: { per_minute: 3, min_gap: 5s }\n", sent: sent)
        for index in 0..<7 { harness.drop("p\(index).md", "---\nchannels: [slow]\n---\nPost \(index) about topic \(index * 7919)") }
        run(harness, sent: sent, expecting: 7)
        let times = sent.all.map(\.at)
        #expect(times.count == 7)
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later.timeIntervalSince(earlier) >= 5 - 0.001) }
        for index in times.indices.dropFirst(3) {
            #expect(times[index].timeIntervalSince(times[index - 3]) >= 60 - 0.001, "never 4 sends within a minute")
        }
    }

    /// A retry reaches the platform like any other request: it waits for the gap, and the next post
    /// waits for the gap after it (retries once went out as soon as their backoff ended and were not
    /// counted as sends).
    /// `crier run`'s send lead: each delivery is admitted as of its due instant, its request is
    /// built that far ahead and carries the instant for the transport, and the gap holds between
    /// the instants the requests start at.
    @Test func withASendLeadEachRequestIsReadyAheadAndStartsAtItsDueInstantUnderTheGap() throws {
        struct Handed: Sendable { var at: Date; var notBefore: Date? }
        let handed = Recorded<Handed>()
        let clockBox = ClockBox()
        let transport = RecordingTransport(onSend: { request in
            handed.append(Handed(at: clockBox.clock?.now() ?? Date(), notBefore: request.notBefore))
        }, reply: { _ in .success(TransportResponse(status: 200)) })
        let lead = 0.02
        let harness = try EngineHarness(configText: config("  slow:\n    platform: webhook\n    url: http://127.0.0.1:9/slow\n    limits: { min_gap: 5s }\n"),
                                        transport: transport, options: EngineOptions(sendLead: lead))
        clockBox.clock = harness.clock
        let nine = try #require(ISO8601DateFormatter().date(from: "2031-01-01T09:00:00Z"))
        harness.drop("a.md", "---\nchannels: [slow]\nat: 2031-01-01T09:00:00Z\n---\nFirst post about apples")
        harness.drop("b.md", "---\nchannels: [slow]\nat: 2031-01-01T09:00:00Z\n---\nSecond post about pears")
        harness.drop("c.md", "---\nchannels: [slow]\nat: 2031-01-01T09:00:30Z\n---\nThird post about plums")
        for _ in 0..<20 where handed.all.count < 3 {
            harness.settle()
            guard harness.queue.sync(execute: { harness.timer.armedAt }) != nil else { break }
            harness.fireTimer()
        }
        harness.settle()

        let requests = handed.all
        #expect(requests.count == 3)
        let instants = requests.compactMap(\.notBefore)
        #expect(instants == [nine, nine.addingTimeInterval(5), nine.addingTimeInterval(30)], "each starts at its due instant, the gap kept")
        for request in requests {
            // Built and handed over the lead before its instant, not when it was due.
            #expect(abs(request.at.timeIntervalSince(request.notBefore ?? .distantPast) + lead) < 0.000_5, "\(request)")
        }
    }

    @Test func retriesKeepTheGapAndCountAsSends() throws {
        let sent = SendTimes()
        let requests = Atomic(0)
        let harness = try harness("  slow:\n    platform: webhook\n    url: http://127.0.0.1:9/slow\n    limits: { min_gap: 5s }\n"
                                  + "    retry: { base: 1s, max_delay: 1s }\n", sent: sent) { _ in
            // Every other request is refused with a 500: a retry follows each.
            let number = requests.add(1, ordering: .relaxed).newValue
            return .success(TransportResponse(status: number % 2 == 1 ? 500 : 200))
        }
        for index in 0..<4 { harness.drop("p\(index).md", "---\nchannels: [slow]\n---\nPost \(index) about topic \(index * 7919)") }
        run(harness, sent: sent, expecting: 8)
        let times = sent.all.map(\.at)
        #expect(times.count == 8, "4 posts, each refused once")
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later.timeIntervalSince(earlier) >= 5 - 0.001, "\(later.timeIntervalSince(earlier)) s between two requests")
        }
    }

    @Test func quietHoursDelayUntilTheyEnd() throws {
        let sent = SendTimes()
        let harness = try harness("  night:\n    platform: webhook\n    url: http://127.0.0.1:9/night\n    limits: { quiet: \"00:00-23:00\" }\n", sent: sent)
        let start = harness.clock.now()
        harness.drop("p.md", "---\nchannels: [night]\n---\nGood morning")
        run(harness, sent: sent, expecting: 1)
        let sentAt = try #require(sent.all.first?.at)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        #expect(sentAt > start, "not sent during quiet hours")
        #expect(calendar.component(.hour, from: sentAt) == 23, "sent when quiet hours end at 23:00")
    }

    @Test func nearDuplicatesAreHeldNamingTheEarlierPost() throws {
        let sent = SendTimes()
        let harness = try harness("  thanks:\n    platform: webhook\n    url: http://127.0.0.1:9/thanks\n    duplicates: { policy: hold, window: 1h }\n", sent: sent)
        harness.drop("a.md", "---\nchannels: [thanks]\n---\nThanks so much @alice for the PR!")
        run(harness, sent: sent, expecting: 1)
        let first = try #require(sent.all.first?.at)
        harness.drop("b.md", "---\nchannels: [thanks]\n---\nThanks so much @bob for the PR! https://example.com/pr/2")
        run(harness, sent: sent, expecting: 2)
        let second = try #require(sent.all.dropFirst().first?.at)
        #expect(second.timeIntervalSince(first) >= 3600, "held until the earlier one is out of the window")
    }

    @Test func retryAfterPushesTheChannelsNextSend() throws {
        let sent = SendTimes()
        let counter = Recorded<Int>()
        let harness = try harness("  api:\n    platform: webhook\n    url: http://127.0.0.1:9/api\n    limits: { max_in_flight: 1 }\n", sent: sent, reply: { _ in
            counter.next(0) == 0 ? .success(TransportResponse(status: 429, headers: [HTTPHeader("Retry-After", "120")])) : .success(TransportResponse(status: 200))
        })
        harness.drop("a.md", "---\nchannels: [api]\n---\nFirst")
        harness.drop("b.md", "---\nchannels: [api]\n---\nSecond, quite different")
        run(harness, sent: sent, expecting: 3)
        let times = sent.all.map(\.at)
        #expect(times.count == 3)
        #expect(times[1].timeIntervalSince(times[0]) >= 120, "nothing goes to the channel before Retry-After passes")
    }

    @Test func theCircuitBreakerOpensOnFailuresInARowAndClosesByItselfWhenAProbeIsAnswered() throws {
        let sent = SendTimes()
        let healthy = Mutex(false)
        let harness = try harness("  down:\n    platform: webhook\n    url: http://127.0.0.1:9/down\n    breaker: 3\n    retry: { base: 1s, max_attempts: 20 }\n    limits: { max_in_flight: 5 }\n",
                                  sent: sent, reply: { _ in .success(TransportResponse(status: healthy.withLock { $0 } ? 200 : 503)) })
        for index in 0..<3 { harness.drop("p\(index).md", "---\nchannels: [down]\n---\nPost \(index) \(index * 104729)") }
        run(harness, sent: sent, expecting: 9, maxFires: 40)
        // Three posts in flight together fail as one; it takes three waves of retries to open.
        #expect(sent.all.count == 9, "open after three failed waves, not after one bad second")
        let open = try #require(try harness.journal.channelStates()["down"])
        #expect(open.isOpen)
        #expect(try harness.journal.pauses()["down"] == nil, "the breaker is not a pause: it closes by itself")
        let openedAt = try #require(sent.all.last?.at)
        // Still down at the first probe: one request, then open again for longer.
        run(harness, sent: sent, expecting: 10, maxFires: 10)
        harness.fireTimer()
        harness.settle()
        #expect(sent.all.count == 10, "one probe, not a burst")
        #expect(sent.all[9].at.timeIntervalSince(openedAt) >= 60 - 0.001, "the probe waits out the cool-down")
        healthy.withLock { $0 = true }
        run(harness, sent: sent, expecting: 13, maxFires: 40)
        #expect(sent.all[10].at.timeIntervalSince(sent.all[9].at) >= 120 - 0.001, "the cool-down doubled")
        #expect(try harness.journal.channelStates()["down"]?.isOpen == false, "an answered probe closes it")
        #expect(harness.receipt("sent", "p0") != nil && harness.receipt("sent", "p1") != nil && harness.receipt("sent", "p2") != nil)
    }

    /// The alerts channel hears when a breaker opens and when it closes again.
    @Test func anOpenedAndAClosedBreakerAreEachAnnouncedOnTheAlertsChannel() throws {
        let healthy = Mutex(false)
        let alertTexts = Recorded<String>()
        let downSends = Recorded<Date>()
        let clockBox = ClockBox()
        let transport = RecordingTransport(onSend: { request in
            if request.url.hasSuffix("/ops") {
                alertTexts.append(String(decoding: request.body, as: UTF8.self))
            } else {
                downSends.append(clockBox.clock?.now() ?? Date())
            }
        }, reply: { request in
            .success(TransportResponse(status: request.url.hasSuffix("/ops") || healthy.withLock { $0 } ? 200 : 503))
        })
        let config = """
            timezone: UTC
            alerts: ops
            delivery: { settle_time: 0s }
            channels:
              down:
                platform: webhook
                url: http://127.0.0.1:9/down
                breaker: 1
                retry: { base: 1s, max_attempts: 10 }
              ops:
                platform: webhook
                url: http://127.0.0.1:9/ops

            """
        let harness = try EngineHarness(configText: config, transport: transport, alerts: true)
        clockBox.clock = harness.clock
        harness.drop("p0.md", "---\nchannels: [down]\n---\nA post for a channel that is down")
        let opened = { alertTexts.all.contains { $0.contains("crier stopped sending to channel 'down'") } }
        for _ in 0..<40 where !opened() {
            harness.settle()
            harness.scan() // the alert is a post file crier drops into its own queue
            harness.settle()
            guard harness.queue.sync(execute: { harness.timer.armedAt }) != nil else { continue }
            harness.fireTimer()
        }
        #expect(opened(), "\(alertTexts.all)")
        healthy.withLock { $0 = true }
        let closed = { alertTexts.all.contains { $0.contains("crier is sending to channel 'down' again") } }
        for _ in 0..<40 where !closed() {
            harness.settle()
            harness.scan()
            harness.settle()
            guard harness.queue.sync(execute: { harness.timer.armedAt }) != nil else { continue }
            harness.fireTimer()
        }
        #expect(closed(), "\(alertTexts.all)")
        #expect(harness.receipt("sent", "p0") != nil)
    }

    @Test func resumingAChannelClosesItsOpenBreakerAtOnce() throws {
        let sent = SendTimes()
        let healthy = Mutex(false)
        let harness = try harness("  down:\n    platform: webhook\n    url: http://127.0.0.1:9/down\n    breaker: 3\n    retry: { base: 1s, max_attempts: 20 }\n    limits: { max_in_flight: 5 }\n",
                                  sent: sent, reply: { _ in .success(TransportResponse(status: healthy.withLock { $0 } ? 200 : 503)) })
        for index in 0..<3 { harness.drop("p\(index).md", "---\nchannels: [down]\n---\nPost \(index) \(index * 7919)") }
        run(harness, sent: sent, expecting: 9, maxFires: 40)
        let openUntil = try #require(try harness.journal.channelStates()["down"]?.openUntil)
        healthy.withLock { $0 = true }
        // What `crier resume down` writes; the daemon hands the journal's channel states over.
        try harness.journal.commitNow([.closeBreaker(channel: "down")])
        let states = try harness.journal.channelStates()
        harness.queue.sync { harness.engine.update(channelStates: states) }
        harness.settle()
        run(harness, sent: sent, expecting: 12, maxFires: 10)
        #expect(sent.all.count == 12)
        #expect(sent.all[9].at < openUntil, "sent before the probe time: the operator closed it")
        #expect(harness.receipt("sent", "p0") != nil && harness.receipt("sent", "p1") != nil && harness.receipt("sent", "p2") != nil)
    }

    @Test func pauseParksAndResumeReleasesUnderTheThrottle() throws {
        let sent = SendTimes()
        let harness = try harness("  ch:\n    platform: webhook\n    url: http://127.0.0.1:9/ch\n    limits: { min_gap: 30s }\n", sent: sent)
        harness.queue.sync { harness.engine.update(pauses: [:], pauseFileReason: "maintenance") }
        for index in 0..<3 { harness.drop("p\(index).md", "---\nchannels: [ch]\n---\nPost \(index) \(index * 15485863)") }
        harness.settle()
        harness.fireTimer()
        harness.settle()
        #expect(sent.all.isEmpty, "nothing is sent while paused")
        harness.queue.sync { harness.engine.update(pauses: [:], pauseFileReason: nil) }
        run(harness, sent: sent, expecting: 3)
        let times = sent.all.map(\.at)
        #expect(times.count == 3)
        for (earlier, later) in zip(times, times.dropFirst()) { #expect(later.timeIntervalSince(earlier) >= 30 - 0.001, "no burst on resume") }
    }

    @Test func postsWithoutATimeTakeTheNextFreeSlots() throws {
        let sent = SendTimes()
        let harness = try harness("  slotted:\n    platform: webhook\n    url: http://127.0.0.1:9/slotted\n    slots: [\"daily 09:00\", \"daily 17:30\"]\n", sent: sent)
        harness.drop("a.md", "---\nchannels: [slotted]\n---\nMorning news")
        harness.drop("b.md", "---\nchannels: [slotted]\n---\nEvening digest, something else entirely")
        run(harness, sent: sent, expecting: 2)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let slots = sent.all.map { calendar.dateComponents([.hour, .minute], from: $0.at) }.map { "\($0.hour!):\($0.minute!)" }
        #expect(Set(slots) == ["9:0", "17:30"], "\(slots)")
    }

    @Test func aRestartNeverSendsFasterThanTheLimits() throws {
        let directory = TemporaryDirectory()
        let journalPath = directory.path + "/journal.sqlite"
        let channel = "  ch:\n    platform: webhook\n    url: http://127.0.0.1:9/ch\n    limits: { per_hour: 2 }\n"
        let firstSent = SendTimes()
        let first = try harness(channel, sent: firstSent, journal: journalPath)
        first.drop("a.md", "---\nchannels: [ch]\n---\nAlpha one")
        first.drop("b.md", "---\nchannels: [ch]\n---\nBravo two, unrelated")
        run(first, sent: firstSent, expecting: 2)
        #expect(firstSent.all.count == 2)
        let secondSent = SendTimes()
        let second = try harness(channel, sent: secondSent, journal: journalPath)
        second.clock.set(first.clock.now().addingTimeInterval(60))
        second.drop("c.md", "---\nchannels: [ch]\n---\nCharlie three, another subject")
        run(second, sent: secondSent, expecting: 1)
        let third = try #require(secondSent.all.first?.at)
        let earliest = try #require(firstSent.all.first?.at)
        #expect(third.timeIntervalSince(earliest) >= 3600, "the restarted daemon remembers the two sends of the last hour")
    }
}

/// Lets a transport closure read the harness's clock, which exists only after the transport.
final class ClockBox: @unchecked Sendable {
    var clock: ManualWallClock?
}
