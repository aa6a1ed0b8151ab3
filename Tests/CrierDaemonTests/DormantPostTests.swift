import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// Far-future posts kept out of memory and read again shortly before they are due; a restart that
/// restores the schedule from the journal without reading the files.
@Suite("Dormant posts")
struct DormantPostTests {
    private func post(at: Date, _ text: String, id: String? = nil) -> String {
        "---\n\(id.map { "id: \($0)\n" } ?? "")channels: [ops]\nat: \(TimestampFormat.string(at))\n---\n\(text)\n"
    }

    private func bodies(_ transport: RecordingTransport) -> [String] {
        transport.requests.map { String(decoding: $0.body, as: UTF8.self) }
    }

    /// Whether the engine holds the post's content, and whether the post sleeps (held only as a
    /// `DormantPost`).
    private func state(_ harness: EngineHarness, _ id: String) -> (loaded: Bool, dormant: Bool) {
        harness.queue.sync { (harness.engine.posts[id]?.content != nil, harness.engine.dormant[id] != nil) }
    }

    @Test func aPostDueTomorrowIsUnloadedAndReadAgainShortlyBeforeItIsDue() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport, loadsPosts: true)
        let due = harness.clock.now().addingTimeInterval(86_400)
        harness.drop("far.md", post(at: due, "Hello from tomorrow"))
        harness.settle()
        #expect(state(harness, "far").loaded == false)
        #expect(state(harness, "far").dormant == true)
        #expect(harness.queue.sync { harness.engine.posts.isEmpty }, "nothing of it is held but its schedule")
        #expect(harness.queue.sync { harness.engine.summary() }.nextDue == due, "the status line still names the next send")
        #expect(harness.queue.sync { harness.engine.summary() }.pending == 1)
        let wake = try #require(harness.timer.armedAt)
        #expect(abs(wake.timeIntervalSince(due) + EngineOptions().loadAhead / 2) < 0.001, "woken half of loadAhead before it is due")
        harness.fireTimer()
        harness.settle()
        #expect(state(harness, "far").loaded == true)
        #expect(state(harness, "far").dormant == false)
        #expect(transport.requests.isEmpty)
        harness.fireTimer()
        harness.settle()
        #expect(bodies(transport).count == 1)
        #expect(bodies(transport).first?.contains("Hello from tomorrow") == true)
        #expect(harness.receipt("sent", "far") != nil)
    }

    @Test func aFileEditedWhileItsPostWasUnloadedIsSentAsEdited() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport, loadsPosts: true)
        let due = harness.clock.now().addingTimeInterval(86_400)
        harness.drop("far.md", post(at: due, "The first words"))
        harness.settle()
        // Written behind the intake's back (as if inotify had missed it).
        harness.directory.write(post(at: due, "The edited words, quite different"), to: "queue/far.md")
        for _ in 0..<3 {
            harness.fireTimer()
            harness.settle()
        }
        #expect(bodies(transport).count == 1)
        #expect(bodies(transport).first?.contains("The edited words") == true)
    }

    @Test func aFileDeletedWhileItsPostWasUnloadedCancelsIt() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport, loadsPosts: true)
        harness.drop("far.md", post(at: harness.clock.now().addingTimeInterval(86_400), "Never mind"))
        harness.settle()
        try FileManager.default.removeItem(atPath: harness.layout.pending("far.md"))
        harness.fireTimer()
        harness.settle()
        #expect(transport.requests.isEmpty)
        let records = try #require(try harness.journal.post(id: "far")).1
        #expect(records.map(\.status) == [.cancelled])
    }

    @Test func theIntakeReadingASleepingPostAgainWakesItOnlyForAChange() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport, loadsPosts: true)
        let due = harness.clock.now().addingTimeInterval(86_400)
        let text = post(at: due, "Same words")
        harness.drop("far.md", text)
        harness.settle()
        harness.drop("far.md", text)  // a SIGHUP reads every file again
        harness.settle()
        #expect(state(harness, "far").dormant, "the same content leaves it asleep")
        harness.drop("far.md", post(at: due, "Other words, edited through the intake"))
        harness.settle()
        #expect(state(harness, "far").dormant, "edited, journaled, and asleep again")
        for _ in 0..<3 {
            harness.fireTimer()
            harness.settle()
        }
        #expect(bodies(transport).count == 1)
        #expect(bodies(transport).first?.contains("Other words") == true)
    }

    @Test func deletingTheFileOfASleepingPostCancelsItAtOnce() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport, loadsPosts: true)
        harness.drop("far.md", post(at: harness.clock.now().addingTimeInterval(86_400), "Never mind"))
        harness.scan()
        harness.settle()
        try FileManager.default.removeItem(atPath: harness.layout.pending("far.md"))
        harness.scan()
        harness.settle()
        #expect(harness.receipt("cancelled", "far") != nil)
        #expect(try harness.journal.post(id: "far")?.0.state == .cancelled)
        #expect(transport.requests.isEmpty)
    }

    /// A first pick-up of 10,000 posts on two channels (the journal's rows go in multi-row INSERTs,
    /// the files are read without an `lstat` first): every post, each of its deliveries and its
    /// `queued` line are journaled, with the posts' own times, and nothing is held in memory.
    @Test func aFirstPickUpOfTenThousandPostsJournalsEveryRow() throws {
        let count = 10_000
        let directory = TemporaryDirectory()
        let harness = try EngineHarness(configText: webhookConfig(channels: ["ops", "alerts"]), transport: RecordingTransport(),
                                        directory: directory, loadsPosts: true)
        let start = harness.clock.now().addingTimeInterval(86_400)
        for index in 0..<count {
            let text = "---\nchannels: [ops, alerts]\nat: \(TimestampFormat.string(start.addingTimeInterval(Double(index) * 0.5)))\n---\nPost \(index).\n"
            directory.write(text, to: "queue/p\(index).md")
        }
        harness.scan()
        harness.settle()
        let unfinished = try harness.journal.unfinishedPosts()
        #expect(unfinished.count == count)
        for (post, records) in unfinished {
            let index = try #require(Int(post.id.dropFirst()))
            #expect(post.file == "p\(index).md")
            #expect(post.scheduledAt == start.addingTimeInterval(Double(index) * 0.5))
            #expect(post.fileSignature != nil)
            #expect(Set(records.map(\.key)) == [DeliveryKey(post: post.id, channel: "ops", part: 1),
                                                 DeliveryKey(post: post.id, channel: "alerts", part: 1)], "\(post.id)")
            #expect(records.allSatisfy { $0.status == .pending && $0.attempts == 0 })
        }
        let queued = try harness.journal.history(postID: nil, since: nil, limit: 3 * count).filter { $0.action == "queued" }
        #expect(queued.count == count)
        #expect(Set(queued.compactMap(\.postID)).count == count)
        #expect(harness.queue.sync { harness.engine.posts.isEmpty && harness.engine.dormant.count == count })
    }

    @Test func aRestartWithTenThousandPendingPostsReadsNoFileAndResumesEveryOne() throws {
        let count = 10_000
        let directory = TemporaryDirectory()
        let first = try EngineHarness(configText: webhookConfig(), transport: RecordingTransport(), directory: directory, loadsPosts: true)
        let start = first.clock.now().addingTimeInterval(86_400)
        for index in 0..<count {
            directory.write(post(at: start.addingTimeInterval(Double(index) * 0.5), "Post \(index) of the backlog, waiting for tomorrow"),
                            to: "queue/p\(index).md")
        }
        first.scan()
        first.settle()
        #expect(try first.journal.postCounts()[.pending] == count)
        #expect(first.queue.sync { first.engine.posts.isEmpty && first.engine.dormant.count == count }, "far-future posts are not held in memory")
        let journaledIDs = Set(try first.journal.unfinishedPosts().flatMap { $0.1.map(\.id) })
        #expect(journaledIDs.count == count)

        let transport = RecordingTransport()
        let second = try EngineHarness(configText: webhookConfig(), transport: transport, directory: directory, loadsPosts: true)
        second.clock.set(first.clock.now())
        second.scan()
        second.settle()
        #expect(second.queue.sync { second.engine.posts.isEmpty && second.engine.dormant.count == count })
        #expect(second.queue.sync { second.engine.summary().pending } == count)
        #expect(second.filesRead.all.isEmpty, "the restart read no file: \(second.filesRead.all.prefix(3))")

        second.clock.set(start.addingTimeInterval(Double(count)))
        for _ in 0..<50 where transport.requests.count < count {
            second.queue.sync { second.timer.fire() }
            second.settle()
        }
        let ids = transport.requests.compactMap { request in request.headers.first { $0.name == "webhook-id" }?.value }
        #expect(ids.count == count)
        #expect(Set(ids) == journaledIDs, "every post went once, under the id the first run journaled")
        #expect(try second.journal.postCounts()[.sent] == count)
    }
}
