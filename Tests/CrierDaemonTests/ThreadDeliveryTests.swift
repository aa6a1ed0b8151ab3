import CrierCore
import CrierCurl
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Synchronization
import Testing

/// Threads end to end on the test platform `ThreadFakeServer` (two steps per part: `prepare`, then
/// `publish`, which is not safe to repeat), with real libcurl over loopback and a real journal.
/// A "kill" stops an engine dead at a chosen request (`GatedTransport` holds it forever) with what
/// was journaled before it durable; a new engine is then started on the same queue and journal.
@Suite(.serialized) struct ThreadDeliveryTests {
    static let body = """
        First, the news: crier now threads long posts. Second, each part replies to the one before. \
        Third, a crash never sends a part twice. Fourth, a lost answer is looked up or held.
        """

    static func config(url: String) -> String {
        """
        timezone: UTC
        retry: { base: 10s, max_attempts: 3 }
        delivery: { settle_time: 0s }
        alerts: ops
        channels:
          social:
            platform: webhook
            url: \(url)
            limit: 60
            long: thread
          ops:
            platform: webhook
            url: http://127.0.0.1:9/hook
        """
    }

    static let post = "---\nchannels: [social]\n---\n\(body)\n"

    func harness(_ fake: ThreadFakeServer, transport: any Transport, lookups: Bool,
                 directory: TemporaryDirectory = TemporaryDirectory()) throws -> EngineHarness {
        try EngineHarness(configText: Self.config(url: fake.url), transport: transport, directory: directory,
                          routing: { $0.routing("social", as: .mastodon, through: ThreadFakeAdapter(lookups: lookups)) }, alerts: true)
    }

    func curl() -> CurlTransport {
        CurlTransport(options: TransportOptions(connectTimeout: 5, totalTimeout: 10, maxConcurrentTransfers: 4))
    }

    /// The texts the renderer makes of the post for the channel: what the platform must receive.
    func expectedParts(_ harness: EngineHarness) throws -> [String] {
        let runtime = harness.engine.queue.sync { harness.engine.runtime }
        let post = try PostParser(timeZone: TimeZone(identifier: "UTC")!).parse(Data(Self.post.utf8), fileName: "launch.md")
        let channel = runtime.config.channel(named: "social")!
        return PartsPlanner.variant(for: post, channel: channel, defaults: runtime.config.defaults).parts.map(\.text)
    }

    /// Every part published once, in order, each replying to the one before, with the right text.
    func expectWellFormedThread(_ fake: ThreadFakeServer, texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let posts = fake.posts
        #expect(fake.violations.isEmpty, "\(fake.violations)", sourceLocation: sourceLocation)
        #expect(posts.map(\.text) == texts, sourceLocation: sourceLocation)
        for (index, post) in posts.enumerated() {
            #expect(post.replyTo == (index == 0 ? nil : posts[index - 1].id), "part \(index + 1) replies to the previous part",
                    sourceLocation: sourceLocation)
        }
    }

    func receiptRemoteIDs(_ harness: EngineHarness, _ directory: String = "sent") -> [String?] {
        let deliveries = harness.receipt(directory, "launch")?["deliveries"] as? [[String: Any]] ?? []
        return deliveries.sorted { ($0["part"] as? Int ?? 0) < ($1["part"] as? Int ?? 0) }.map { $0["remote_id"] as? String }
    }

    @Test func aFourPartThreadGoesOutInOrderEachPartReplyingToThePrevious() throws {
        let fake = try ThreadFakeServer()
        let transport = curl()
        defer { transport.shutdown(graceSeconds: 0) }
        let harness = try harness(fake, transport: transport, lookups: true)
        let texts = try expectedParts(harness)
        try #require(texts.count == 4, "the sample post renders as four parts at limit 60: \(texts)")
        harness.drop("launch.md", Self.post)
        harness.settle()
        expectWellFormedThread(fake, texts: texts)
        #expect(fake.requests == Array(repeating: ["POST /drafts", "POST /publish"], count: 4).flatMap { $0 })
        #expect(receiptRemoteIDs(harness) == ["p_1", "p_2", "p_3", "p_4"])
    }

    /// Stops engine A dead at the first request matching `stop`, then starts engine B on the same
    /// queue and journal; returns B once it has settled.
    func killAndRestart(at stop: @escaping @Sendable (OutgoingRequest) -> Bool, fake: ThreadFakeServer, lookups: Bool)
        throws -> (EngineHarness, EngineHarness, [CurlTransport]) {
        let firstCurl = curl()
        let gate = GatedTransport(firstCurl)
        gate.hold(where: stop)
        let first = try harness(fake, transport: gate, lookups: lookups)
        first.drop("launch.md", Self.post)
        try #require(eventually { gate.heldCount == 1 }, "engine A reaches the request it dies at")
        // No waiting for A's journal: B starts from what was durable when A reached the request, as
        // after a kill -9 (the engine journals what a step needs before the step's request leaves).
        let secondCurl = curl()
        let second = try harness(fake, transport: secondCurl, lookups: lookups, directory: first.directory)
        second.scan()
        second.settle()
        return (first, second, [firstCurl, secondCurl])
    }

    static func isDraft(replyingTo parent: String) -> @Sendable (OutgoingRequest) -> Bool {
        { $0.url.hasSuffix("/drafts") && String(decoding: $0.body, as: UTF8.self).contains("\"reply_to\":\"\(parent)\"") }
    }

    static func isPublish(of draft: String) -> @Sendable (OutgoingRequest) -> Bool {
        { $0.url.hasSuffix("/publish") && String(decoding: $0.body, as: UTF8.self).contains("\"draft\":\"\(draft)\"") }
    }

    @Test func aKillBetweenPartsResumesAtTheNextPartAndRepeatsNothing() throws {
        let fake = try ThreadFakeServer()
        let (first, second, transports) = try killAndRestart(at: Self.isDraft(replyingTo: "p_1"), fake: fake, lookups: false)
        defer { for transport in transports { transport.shutdown(graceSeconds: 0) } }
        expectWellFormedThread(fake, texts: try expectedParts(second))
        #expect(fake.requests.filter { $0 == "POST /drafts" }.count == 4, "no part prepared twice")
        #expect(receiptRemoteIDs(second) == ["p_1", "p_2", "p_3", "p_4"])
        withExtendedLifetime(first) {}
    }

    @Test func aKillBetweenTheTwoStepsOfAPartNeitherRedoesTheFirstNorPublishesTwice() throws {
        // Engine A dies as it sends part 3's publish (its draft is journaled, and so is the mark that
        // the publish may be out): engine B looks the draft up, finds nothing, publishes once.
        let fake = try ThreadFakeServer()
        let (first, second, transports) = try killAndRestart(at: Self.isPublish(of: "dr_3"), fake: fake, lookups: true)
        defer { for transport in transports { transport.shutdown(graceSeconds: 0) } }
        expectWellFormedThread(fake, texts: try expectedParts(second))
        #expect(fake.requests.filter { $0 == "POST /drafts" }.count == 4, "the journaled draft of part 3 is not prepared again")
        #expect(fake.requests.contains("GET /posts"), "the uncertain publish was looked up first")
        withExtendedLifetime(first) {}
    }

    @Test func aLostAnswerToAPublishIsLookedUpNotRepeated() throws {
        let fake = try ThreadFakeServer { request, _ in
            request.path == "/publish" && String(decoding: request.body, as: UTF8.self).contains("dr_2") ? .dropAfterActing : nil
        }
        let transport = curl()
        defer { transport.shutdown(graceSeconds: 0) }
        let harness = try harness(fake, transport: transport, lookups: true)
        harness.drop("launch.md", Self.post)
        harness.settle()
        // The lookup waits out the backoff (the platform may still be finishing the publish).
        harness.fireTimer()
        harness.settle()
        expectWellFormedThread(fake, texts: try expectedParts(harness))
        #expect(receiptRemoteIDs(harness) == ["p_1", "p_2", "p_3", "p_4"])
    }

    @Test func aLostAnswerWithoutLookupIsHeldAsUnknownUntilResolved() throws {
        let fake = try ThreadFakeServer { request, _ in
            request.path == "/publish" && String(decoding: request.body, as: UTF8.self).contains("dr_2") ? .dropAfterActing : nil
        }
        let transport = curl()
        defer { transport.shutdown(graceSeconds: 0) }
        let harness = try harness(fake, transport: transport, lookups: false)
        let texts = try expectedParts(harness)
        harness.drop("launch.md", Self.post)
        harness.settle()
        #expect(fake.posts.count == 2, "part 2 was published; its answer was lost")
        #expect(harness.timer.armedAt == nil, "nothing is retried blindly")
        let unknown = try harness.journal.unknownDeliveries()
        #expect(unknown.map(\.key) == [DeliveryKey(post: "launch", channel: "social", part: 2)])
        #expect(unknown.first?.error?.contains("publish") == true)
        let alerts = harness.directory.files(in: "queue").filter { $0.hasPrefix(AlertPoster.idPrefix) }
        #expect(alerts.count == 1)
        let alert = alerts.first.flatMap { FileManager.default.contents(atPath: harness.layout.pending($0)) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(alert.contains("crier resolve launch --channel social"))
        #expect(!FileManager.default.fileExists(atPath: harness.layout.sent + "/launch.md"), "an unknown delivery keeps the post pending")

        // The operator finds part 2 on the platform and says so; the thread goes on from it.
        _ = try PostCommands.resolve(postID: "launch", channel: "social", sentURL: "\(fake.url)/posts/p_2", layout: harness.layout)
        let resolutions = try harness.journal.resolutions()
        harness.queue.sync { harness.engine.apply(resolutions) }
        harness.settle()
        expectWellFormedThread(fake, texts: texts)
        #expect(receiptRemoteIDs(harness) == ["p_1", "p_2", "p_3", "p_4"])
        #expect(try harness.journal.resolutions().isEmpty, "an applied resolution is deleted")
    }

    @Test func anUnknownResolvedAsNotSentIsSentOnceMore() throws {
        // The platform closed the connection before acting: curl cannot tell, so crier holds it.
        let dropped = Mutex(false)
        let fake = try ThreadFakeServer { request, _ in
            guard request.path == "/publish", String(decoding: request.body, as: UTF8.self).contains("dr_1") else { return nil }
            return dropped.withLock { done in defer { done = true }; return done ? nil : .dropBeforeActing }
        }
        let transport = curl()
        defer { transport.shutdown(graceSeconds: 0) }
        let harness = try harness(fake, transport: transport, lookups: false)
        harness.drop("launch.md", Self.post)
        harness.settle()
        #expect(fake.posts.isEmpty)
        #expect(try harness.journal.unknownDeliveries().count == 1)
        _ = try PostCommands.retry(postID: "launch", channel: "social", layout: harness.layout)
        let resolutions = try harness.journal.resolutions()
        harness.queue.sync { harness.engine.apply(resolutions) }
        harness.settle()
        expectWellFormedThread(fake, texts: try expectedParts(harness))
        #expect(fake.requests.filter { $0 == "POST /drafts" }.count == 4, "the journaled draft is published, not prepared again")
    }

    @Test func anEditWhileTheThreadIsHalfSentChangesOnlyWhatIsNotSent() throws {
        let fake = try ThreadFakeServer()
        let inner = curl()
        defer { inner.shutdown(graceSeconds: 0) }
        let gate = GatedTransport(inner)
        gate.hold(where: Self.isPublish(of: "dr_2"))
        let harness = try harness(fake, transport: gate, lookups: true)
        let before = try expectedParts(harness)
        harness.drop("launch.md", Self.post)
        try #require(eventually { gate.heldCount == 1 })
        // While part 2 is being published, the author rewrites part 3 and drops part 4.
        let edited = "---\nchannels: [social]\n---\n\(Self.body.components(separatedBy: " Third,")[0]) Third, an edited part three.\n"
        harness.drop("launch.md", edited)
        gate.release()
        harness.settle()
        let posts = fake.posts
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(Array(posts.map(\.text).prefix(2)) == Array(before.prefix(2)), "parts already under way keep their text")
        let after = try PostParser(timeZone: TimeZone(identifier: "UTC")!).parse(Data(edited.utf8), fileName: "launch.md")
        let runtime = harness.engine.queue.sync { harness.engine.runtime }
        let newParts = PartsPlanner.variant(for: after, channel: runtime.config.channel(named: "social")!, defaults: runtime.config.defaults)
            .parts.map(\.text)
        try #require(newParts.count == 3, "the edit renders as three parts: \(newParts)")
        #expect(posts.count == 3, "the part the edit removed is not sent")
        #expect(posts.last?.text == newParts[2], "a part not yet started carries the edit")
        let statuses = (harness.receipt("cancelled", "launch")?["deliveries"] as? [[String: Any]] ?? []).map { "\($0["part"]!):\($0["status"]!)" }
        #expect(statuses.sorted() == ["1:sent", "2:sent", "3:sent", "4:cancelled"])
        for (index, post) in posts.enumerated() where index > 0 { #expect(post.replyTo == posts[index - 1].id) }
    }
}
