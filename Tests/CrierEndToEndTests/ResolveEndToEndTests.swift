import CrierCore
import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// `crier status` and `crier resolve` against the real binary, on a journal holding a delivery of
/// unknown outcome (as a platform without idempotency keys leaves one after a lost answer).
@Suite(.serialized) struct ResolveEndToEndTests {
    func installationWithAnUnknownDelivery() throws -> Installation {
        let installation = try Installation(channels: ["alpha"])
        installation.directory.write("---\nchannels: [alpha]\n---\nHeld for the operator.\n", to: "queue/held.md")
        let layout = QueueLayout(root: installation.queue)
        try layout.create()
        let journal = try JournalStore.open(layout)
        let post = JournalPost(id: "held", file: "held.md", contentHash: "x", state: .pending, scheduledAt: Date(timeIntervalSince1970: 1_700_000_000),
                               expiresAt: nil, acceptedAt: Date(timeIntervalSince1970: 1_700_000_000))
        var record = DeliveryRecord(id: "d_held", key: DeliveryKey(post: "held", channel: "alpha", part: 1), dueAt: Date(timeIntervalSince1970: 1_700_000_000),
                                    progress: DeliveryProgress(uncertainStep: "send"))
        record.apply(.unknown(reason: "send: network: Empty reply from server (the request may have reached the platform)"),
                     at: Date(timeIntervalSince1970: 1_700_000_001))
        try journal.commitNow([.upsertPost(post), .upsertDelivery(record)])
        return installation
    }

    @Test func statusListsTheUnknownDeliveryWithTheCommandThatSettlesIt() throws {
        let installation = try installationWithAnUnknownDelivery()
        let status = try installation.crier(["status"])
        #expect(status.status == 0, "\(status.error)")
        #expect(status.output.contains("held → alpha (part 1): send: network: Empty reply from server"))
        #expect(status.output.contains("it is on alpha:  crier resolve held --channel alpha --sent <its URL>"))
        #expect(status.output.contains("it is not:      crier resolve held --channel alpha --not-sent"))
        let json = try installation.crier(["status", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let unknown = try #require(object["unknown"] as? [[String: Any]])
        #expect(unknown.first?["post"] as? String == "held")
        #expect(unknown.first?["resolving"] as? Bool == false)

        // The printed command works when pasted from another directory: it repeats --config.
        let line = try #require(status.output.split(separator: "\n").first { $0.contains("it is not:") })
        let command = try #require(line.range(of: "crier resolve")).lowerBound
        let words = line[command...].split(separator: " ").dropFirst().map(String.init)
        #expect(words.contains("--config"), "\(line)")
        let pasted = try CrierProcess.run(words)
        #expect(pasted.status == 0, "\(line): \(pasted.error)")
        let after = try installation.crier(["status"])
        #expect(after.output.contains("[resolution recorded; the daemon applies it]"), "\(after.output)")
    }

    @Test func thePreviewShowsTheUnknownDeliveryAsAnError() throws {
        let installation = try installationWithAnUnknownDelivery()
        let preview = try installation.crier(["preview", "--json", "--now", "2030-01-01T00:00:00Z"])
        #expect(preview.status == 1, "a delivery waiting for the operator fails the preview gate")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(preview.output.utf8)) as? [String: Any])
        let delivery = try #require(((object["posts"] as? [[String: Any]])?.first?["deliveries"] as? [[String: Any]])?.first)
        #expect((delivery["errors"] as? [String])?.first?.hasPrefix("unknown: send: network: Empty reply") == true, "\(delivery)")
        #expect(delivery["at"] is NSNull, "it has no planned time")
    }

    @Test func resolveSaysWhatIsWrongWithTheRequest() throws {
        let installation = try installationWithAnUnknownDelivery()
        #expect(try installation.crier(["resolve", "held", "--channel", "alpha"]).status == 2, "--sent URL or --not-sent is required")
        let wrongChannel = try installation.crier(["resolve", "held", "--channel", "beta", "--not-sent"])
        #expect(wrongChannel.status == 1)
        #expect(wrongChannel.error.contains("no delivery of unknown outcome on channel 'beta'; it has on: alpha"))
        let notAURL = try installation.crier(["resolve", "held", "--sent", "p/1"])
        #expect(notAURL.status == 1)
        #expect(notAURL.error.contains("--sent takes the URL"))
        #expect(try installation.crier(["resolve", "nosuchpost", "--not-sent"]).status == 1)
    }

    @Test func aDeliveryResolvedAsSentIsFiledWithTheURLAndNotSentAgain() throws {
        let installation = try installationWithAnUnknownDelivery()
        let resolved = try installation.crier(["resolve", "held", "--channel", "alpha", "--sent", "https://social.example/@crier/1"])
        #expect(resolved.status == 0, "\(resolved.error)")
        #expect(try installation.crier(["status"]).output.contains("[resolution recorded; the daemon applies it]"))
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.sinks["alpha"]!.inbox.arrivals.isEmpty, "a delivery resolved as sent is not sent")
        let receipt = try Data(contentsOf: URL(fileURLWithPath: installation.queue + "/sent/held.receipt.json"))
        let deliveries = try #require((try JSONSerialization.jsonObject(with: receipt) as? [String: Any])?["deliveries"] as? [[String: Any]])
        #expect(deliveries.first?["status"] as? String == "sent")
        #expect(deliveries.first?["remote_url"] as? String == "https://social.example/@crier/1")
        #expect(!(try installation.crier(["status"]).output.contains("unknown")))
    }

    @Test func aDeliveryResolvedAsNotSentIsSentOnce() throws {
        let installation = try installationWithAnUnknownDelivery()
        let retried = try installation.crier(["retry", "held", "--channel", "alpha"])
        #expect(retried.status == 0, "\(retried.error)")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.sinks["alpha"]!.inbox.arrivals.count == 1)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.first?.webhookID == "d_held",
                "sent again with its original delivery id")
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/sent/held.receipt.json"))
    }
}
