import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

@Suite struct DeliveryEngineTests {
    @Test func deliversADroppedPostAndFilesItWithAReceipt() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(channels: ["ops", "audit"]), transport: transport)
        harness.drop("launch.md", "---\nchannels: [ops, audit]\n---\nHello")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.sent + "/launch.receipt.json") })
        #expect(transport.requests.count == 2)
        let ids = transport.requests.compactMap { $0.headers.value(for: "webhook-id") }
        let receipt = try #require(harness.receipt("sent", "launch"))
        let deliveries = receipt["deliveries"] as! [[String: Any]]
        #expect(Set(deliveries.map { $0["id"] as! String }) == Set(ids))
        #expect(deliveries.allSatisfy { $0["status"] as? String == "sent" && $0["attempts"] as? Int == 1 })
        #expect(FileManager.default.fileExists(atPath: harness.layout.sent + "/launch.md"))
        #expect(!FileManager.default.fileExists(atPath: harness.layout.pending("launch.md")))
    }

    @Test func theStatusSummaryFollowsEveryChangeThoughItIsCachedWhileNothingChanges() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(channels: ["ops", "audit"]), transport: transport)
        func pending() -> Int { harness.engine.queue.sync { harness.engine.summary().pending } }
        harness.drop("later.md", "---\nchannels: [ops, audit]\nat: 2031-01-01T09:00:00Z\n---\nLater")
        harness.settle()
        #expect(pending() == 2)
        #expect(pending() == 2, "the cached counts")
        harness.drop("more.md", "---\nchannels: [ops]\nat: 2031-01-01T10:00:00Z\n---\nMore")
        harness.settle()
        #expect(pending() == 3)
        harness.drop("now.md", "---\nchannels: [ops]\n---\nNow")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.sent + "/now.receipt.json") })
        harness.settle()
        #expect(pending() == 3, "the sent one left the count")
    }

    @Test func retriesWithBackoffKeepingTheDeliveryIDThenSucceeds() throws {
        let counter = Recorded<Int>()
        let transport = RecordingTransport(reply: { _ in
            counter.next(0) < 2 ? .success(TransportResponse(status: 503, body: Data("busy".utf8))) : .success(TransportResponse(status: 200))
        })
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport)
        let start = harness.clock.now()
        harness.drop("p.md", "---\nchannels: [ops]\n---\nHello")
        #expect(eventually { transport.requests.count == 1 })
        harness.settle()
        let firstRetry = try #require(harness.timer.armedAt)
        #expect(firstRetry.timeIntervalSince(start) >= 5 && firstRetry.timeIntervalSince(start) <= 10, "first backoff is within base/2...base")
        harness.fireTimer()
        #expect(eventually { transport.requests.count == 2 })
        harness.settle()
        let secondRetry = try #require(harness.timer.armedAt)
        #expect(secondRetry.timeIntervalSince(harness.clock.now()) >= 10, "second backoff doubles")
        harness.fireTimer()
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.sent + "/p.receipt.json") })
        let ids = Set(transport.requests.compactMap { $0.headers.value(for: "webhook-id") })
        #expect(ids.count == 1, "every attempt carries the same webhook-id")
        let delivery = (try #require(harness.receipt("sent", "p"))["deliveries"] as! [[String: Any]])[0]
        #expect(delivery["attempts"] as? Int == 3)
    }

    @Test func permanentFailureKeepsTheReceiversWordsAndFilesToFailed() throws {
        let transport = RecordingTransport(reply: { _ in
            .success(TransportResponse(status: 422, body: Data(#"{"error":"Text character limit of 500 exceeded"}"#.utf8)))
        })
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport)
        harness.drop("p.md", "---\nchannels: [ops]\n---\nHello")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.failed + "/p.receipt.json") })
        let delivery = (try #require(harness.receipt("failed", "p"))["deliveries"] as! [[String: Any]])[0]
        #expect(delivery["status"] as? String == "failed")
        #expect(delivery["http_status"] as? Int == 422)
        #expect(delivery["error"] as? String == "HTTP 422: Text character limit of 500 exceeded")
        #expect(transport.requests.count == 1, "4xx is not retried")
    }

    @Test func givesUpAfterMaxAttempts() throws {
        let transport = RecordingTransport(reply: { _ in .failure(TransportError(kind: .connect, message: "refused")) })
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport)
        harness.drop("p.md", "---\nchannels: [ops]\n---\nHello")
        for _ in 0..<2 {
            #expect(eventually { harness.queue.sync { harness.timer.armedAt != nil } })
            harness.fireTimer()
        }
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.failed + "/p.receipt.json") })
        #expect(transport.requests.count == 3)
        let delivery = (try #require(harness.receipt("failed", "p"))["deliveries"] as! [[String: Any]])[0]
        #expect((delivery["error"] as? String)?.hasPrefix("gave up after 3 attempts") == true)
    }

    @Test func scheduledPostsWaitForTheirTimeAndExpiredOnesAreNotSent() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport)
        let at = harness.clock.now().addingTimeInterval(3600)
        harness.drop("later.md", "---\nchannels: [ops]\nat: \(TimestampFormat.string(at))\n---\nLater")
        harness.drop("stale.md", "---\nchannels: [ops]\nat: \(TimestampFormat.string(harness.clock.now().addingTimeInterval(-7200)))\nexpire: 1h\n---\nToo late")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.failed + "/stale.receipt.json") })
        harness.settle()
        #expect(transport.requests.isEmpty)
        #expect(harness.timer.armedAt == at, "the one timer is armed to the earliest due delivery")
        let delivery = (try #require(harness.receipt("failed", "stale"))["deliveries"] as! [[String: Any]])[0]
        #expect(delivery["status"] as? String == "expired")
        harness.fireTimer()
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.sent + "/later.receipt.json") })
    }

    @Test func deletingAPendingFileCancelsIt() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport)
        let at = TimestampFormat.string(harness.clock.now().addingTimeInterval(3600))
        harness.drop("p.md", "---\nchannels: [ops]\nat: \(at)\n---\nHello")
        harness.settle()
        try FileManager.default.removeItem(atPath: harness.layout.pending("p.md"))
        harness.scan()
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.cancelled + "/p.receipt.json") })
        let delivery = (try #require(harness.receipt("cancelled", "p"))["deliveries"] as! [[String: Any]])[0]
        #expect(delivery["status"] as? String == "cancelled")
        #expect(transport.requests.isEmpty)
    }

    @Test func editingAPendingFileChangesItAndRemovedChannelsAreCancelled() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(channels: ["ops", "audit"]), transport: transport)
        let at = TimestampFormat.string(harness.clock.now().addingTimeInterval(3600))
        harness.drop("p.md", "---\nchannels: [ops, audit]\nat: \(at)\n---\nFirst draft")
        harness.settle()
        harness.drop("p.md", "---\nchannels: [ops]\nat: \(at)\n---\nSecond draft")
        harness.settle()
        harness.fireTimer()
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.cancelled + "/p.receipt.json") })
        #expect(transport.requests.count == 1)
        let body = String(decoding: transport.requests[0].body, as: UTF8.self)
        #expect(body.contains("Second draft"))
        let statuses = (try #require(harness.receipt("cancelled", "p"))["deliveries"] as! [[String: Any]]).map { "\($0["channel"]!):\($0["status"]!)" }
        #expect(statuses.sorted() == ["audit:cancelled", "ops:sent"])
    }

    @Test func rejectsBadFilesWithTheReasonAndKeepsDeliveringNeighbours() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport)
        harness.drop("bad.md", "---\nchannels: [nope]\nat: whenever\n---\nx")
        harness.drop("good.md", "---\nchannels: [ops]\n---\nfine")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.rejected + "/bad.error.txt") })
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.sent + "/good.receipt.json") })
        let reason = try String(contentsOfFile: harness.layout.rejected + "/bad.error.txt", encoding: .utf8)
        #expect(reason.contains("bad.md:2: channels: unknown channel 'nope'"))
        #expect(reason.contains("bad.md:3: at: 'whenever' is not a time"))
    }

    @Test func aSentPostIDDroppedAgainIsRejectedNotResent() throws {
        let transport = RecordingTransport()
        let harness = try EngineHarness(configText: webhookConfig(), transport: transport)
        harness.drop("p.md", "---\nchannels: [ops]\n---\nonce")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.sent + "/p.receipt.json") })
        harness.drop("p.md", "---\nchannels: [ops]\n---\nonce")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.rejected + "/p.error.txt") })
        #expect(transport.requests.count == 1)
    }

    @Test func aRestartResumesUnfinishedDeliveriesWithTheSameIDs() throws {
        let directory = TemporaryDirectory()
        let journalPath = directory.path + "/journal.sqlite"
        let failing = RecordingTransport(reply: { _ in .success(TransportResponse(status: 503)) })
        let firstID: String
        do {
            let harness = try EngineHarness(configText: webhookConfig(), transport: failing, journalPath: journalPath)
            harness.drop("p.md", "---\nchannels: [ops]\n---\nHello")
            #expect(eventually { failing.requests.count == 1 })
            harness.settle()
            firstID = try #require(failing.requests[0].headers.value(for: "webhook-id"))
            // "Crash": the harness is dropped; copy the queue file to the next run's queue.
            let next = try EngineHarness(configText: webhookConfig(), transport: RecordingTransport(), journalPath: journalPath)
            try FileManager.default.copyItem(atPath: harness.layout.pending("p.md"), toPath: next.layout.pending("p.md"))
            next.scan()
            next.settle()
            next.fireTimer()
            #expect(eventually { FileManager.default.fileExists(atPath: next.layout.sent + "/p.receipt.json") })
            let delivery = (try #require(next.receipt("sent", "p"))["deliveries"] as! [[String: Any]])[0]
            #expect(delivery["id"] as? String == firstID)
            #expect(delivery["attempts"] as? Int == 2)
        }
    }
}

@Suite struct RenderedDeliveryTests {
    @Test func aVariantThatCannotBeSentFailsItsChannelWhenDroppedWithTheMeasuredLength() throws {
        let transport = RecordingTransport()
        let config = "timezone: UTC\ndelivery: { settle_time: 0s }\nchannels:\n  short:\n    platform: webhook\n    url: http://127.0.0.1:9/a\n    limit: 20\n    long: reject\n  roomy:\n    platform: webhook\n    url: http://127.0.0.1:9/b\n"
        let harness = try EngineHarness(configText: config, transport: transport)
        harness.drop("p.md", "---\nchannels: [short, roomy]\n---\nThis text is longer than twenty characters.")
        #expect(eventually { FileManager.default.fileExists(atPath: harness.layout.failed + "/p.receipt.json") })
        #expect(transport.requests.count == 1, "only the channel that fits is sent")
        let deliveries = try #require(harness.receipt("failed", "p"))["deliveries"] as! [[String: Any]]
        let short = try #require(deliveries.first { $0["channel"] as? String == "short" })
        #expect(short["status"] as? String == "failed")
        #expect(short["attempts"] as? Int == 0)
        #expect((short["error"] as? String)?.contains("/20") == true, "\(short["error"] ?? "")")
    }
}
