import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// The real `crier` binary delivering to a loopback Mastodon fake that checks bearer tokens,
/// multipart uploads, `Idempotency-Key`, `in_reply_to_id`, media processing and rate limits.
@Suite(.serialized) struct MastodonEndToEndTests {
    static let longText = (1...3).map { "Part \($0) of a thread: " + String(repeating: "word\($0) ", count: 10) }.joined(separator: "\n\n")

    func installation(_ fake: MastodonFakeServer, extra: String = "") throws -> PlatformQueue {
        let queue = try PlatformQueue(channel: "fosstodon", settings: "platform: mastodon")
        let token = queue.secret("token", fake.token)
        queue.directory.write(
            "queue: \(queue.queue)\ntimezone: UTC\nretry: { base: 200ms, max_delay: 2s, max_attempts: 8 }\n"
                + "delivery: { rescan: 1s, settle_time: 200ms, drain_timeout: 5s }\nchannels:\n  fosstodon:\n    platform: mastodon\n"
                + "    url: \(fake.url)\n    token: \(token)\n    visibility: unlisted\n    limit: 100\n    long: thread\n"
                + "    limits: { min_gap: 0s, jitter: 0s }\n\(extra)",
            to: "crier.yml")
        return queue
    }

    @Test func aThreadOfThreeWithTwoImagesArrivesInOrderWithAltTextAndPolledMedia() throws {
        let fake = try MastodonFakeServer(processingPolls: 2)
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.media("media/a.png", PlatformQueue.png(width: 800, height: 600))
        queue.media("media/b.png", PlatformQueue.png(width: 600, height: 800))
        queue.post("launch.md", "---\nchannels: [fosstodon]\ncontent_warning: launch news\nlanguage: en\nmedia:\n"
                   + "  - file: media/a.png\n    alt: The dashboard\n  - file: media/b.png\n    alt: The log view\n---\n\(Self.longText)\n")
        let check = try queue.crier(["check"])
        #expect(check.status == 0, "\(check.output)\(check.error)")
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let statuses = fake.statuses
        try #require(statuses.count == 3, "\(statuses) \(run.error)")
        #expect(statuses[0].inReplyToID == nil)
        #expect(statuses[1].inReplyToID == statuses[0].id)
        #expect(statuses[2].inReplyToID == statuses[1].id)
        #expect(statuses[0].mediaIDs.count == 2)
        #expect(statuses.allSatisfy { $0.spoilerText == "launch news" && $0.language == "en" && $0.visibility == "unlisted" })
        #expect(statuses[0].text.hasPrefix("Part 1"))
        #expect(fake.uploads == ["a.png", "b.png"], "each image uploaded once")
        #expect(fake.media.map(\.description) == ["The dashboard", "The log view"])
        #expect(fake.requests.filter { $0.hasPrefix("GET /api/v1/media/") }.count == 6, "three polls per image: 206 twice, then 200")
        #expect(Set(statuses.compactMap(\.idempotencyKey)).count == 3, "one Idempotency-Key per part")
        let receipt = try #require(queue.receipt("launch"), "\(run.error)")
        let deliveries = try #require(receipt["deliveries"] as? [[String: Any]])
        #expect(deliveries.map { $0["remote_url"] as? String } == statuses.map { "\(fake.url)/@crier/\($0.id)" })
        #expect(!run.error.contains(fake.token), "the token never appears in a log line")
    }

    @Test func aLostAnswerToTheCreateIsRetriedWithTheSameKeyAndPostsOnce() throws {
        let drops = Mutex(2)
        let fake = try MastodonFakeServer { request, _ in
            guard request.path == "/api/v1/statuses" else { return nil }
            return drops.withLock { left in
                defer { left -= 1 }
                return left > 0 ? .dropAfterActing : nil
            }
        }
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.post("once.md", "---\nchannels: [fosstodon]\n---\nPosted once, however often crier has to ask.\n")
        // The fake acts on the first two creates but drops their answers; the key makes each retry
        // return the first status.
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.statuses.count == 1, "one status, not one per try")
        #expect(fake.requests.filter { $0 == "POST /api/v1/statuses" }.count == 3, "crier asked again after each lost answer")
        let receipt = try #require(queue.receipt("once"), "\(run.error)")
        #expect((receipt["deliveries"] as? [[String: Any]])?.first?["remote_id"] as? String == fake.statuses.first?.id)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func aKilledDaemonDoesNotUploadAgainAfterARestart() throws {
        let stalled = Mutex(true)
        let fake = try MastodonFakeServer { request, _ in
            request.path == "/api/v1/statuses" && stalled.withLock { $0 } ? .stall(60) : nil
        }
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.media("media/a.png", PlatformQueue.png(width: 100, height: 100))
        queue.post("kill.md", "---\nchannels: [fosstodon]\nmedia:\n  - file: media/a.png\n    alt: A square\n---\nKilled mid-create.\n")
        let daemon = try queue.daemon()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !fake.requests.contains("POST /api/v1/statuses") { usleep(20_000) }
        try #require(fake.requests.contains("POST /api/v1/statuses"), "\(daemon.standardError)")
        daemon.kill(SIGKILL)
        daemon.waitForExit(timeout: 10)
        stalled.withLock { $0 = false }
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.uploads == ["a.png"], "the upload was journaled: no second upload after the restart")
        #expect(fake.statuses.count == 1)
        #expect(fake.statuses.first?.mediaIDs == fake.media.map(\.id))
        #expect(queue.receipt("kill") != nil)
    }

    @Test func a429WaitsUntilTheResetTimeBeforeAskingAgain() throws {
        let fake = try MastodonFakeServer()
        defer { fake.stop() }
        fake.throttleNextCreate(resetIn: 3)
        let queue = try installation(fake)
        queue.post("limited.md", "---\nchannels: [fosstodon]\n---\nSent after the rate limit resets.\n")
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let throttled = try #require(fake.throttledAt.first)
        #expect(fake.throttledAt.count == 1, "crier did not ask again before X-RateLimit-Reset")
        let status = try #require(fake.statuses.first)
        #expect(status.createdAt.timeIntervalSince(throttled) >= 2.5, "sent after the reset, not at the backoff's 200 ms")
    }

    @Test func aRevokedTokenFailsWithWhatToDoAndTheTokenStaysSecret() throws {
        let fake = try MastodonFakeServer(token: "the-right-token")
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.directory.write("revoked-secret-value", to: "secrets/token")
        queue.post("revoked.md", "---\nchannels: [fosstodon]\n---\nNever arrives.\n")
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let receipt = try #require(queue.receipt("revoked", in: "failed"), "\(run.error)")
        let error = ((receipt["deliveries"] as? [[String: Any]])?.first?["error"] as? String) ?? ""
        #expect(error.contains("HTTP 401") && error.contains("create an access token"), "\(error)")
        #expect(!run.error.contains("revoked-secret-value"))
        #expect(!(String(data: (try? Data(contentsOf: URL(fileURLWithPath: queue.queue + "/failed/revoked.receipt.json"))) ?? Data(), encoding: .utf8) ?? "")
            .contains("revoked-secret-value"))
        #expect(fake.statuses.isEmpty)
    }

    @Test func aReplyTargetDeletedBetweenPartsFailsTheThreadClearly() throws {
        let fake = try MastodonFakeServer { request, index in
            // The second create names part 1, which the "instance" no longer knows.
            request.path == "/api/v1/statuses" && String(decoding: request.body, as: UTF8.self).contains("in_reply_to_id") ? .status(404) : nil
        }
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.post("gone.md", "---\nchannels: [fosstodon]\n---\n\(Self.longText)\n")
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        // Part 2 failed for good; part 3 waits behind it (the engine sends a thread's parts in order
        // and sends none after a failed one), so the post is not filed: `crier status` names the failure.
        let status = try queue.crier(["status", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])
        let errors = (object["recent_failures"] as? [[String: Any]])?.compactMap { $0["error"] as? String } ?? []
        #expect(errors.contains { $0.contains("replies to") && $0.contains("is gone") }, "\(errors)")
        #expect(fake.statuses.count == 1)
    }

    @Test func checkOnlineSaysWhoTheTokenBelongsToAndKeepsTheInstanceLimits() throws {
        let fake = try MastodonFakeServer()
        defer { fake.stop() }
        let queue = try installation(fake)
        let check = try queue.crier(["check", "--online"])
        #expect(check.status == 0, "\(check.output)\(check.error)")
        #expect((check.output + check.error).contains("ok as @crier (instance limits: 500 characters, 4 media"), "\(check.output)\(check.error)")
        #expect(fake.requests == ["GET /api/v1/accounts/verify_credentials", "GET /api/v2/instance"])
        #expect(fake.statuses.isEmpty, "a check never posts")
        queue.directory.write("wrong-token", to: "secrets/token")
        let refused = try queue.crier(["check", "--online"])
        #expect(refused.status == 1)
        #expect((refused.output + refused.error).contains("create an access token"), "\(refused.output)\(refused.error)")
        #expect(!(refused.output + refused.error).contains("wrong-token"))
    }

    @Test func thePreviewCountsAgainstTheInstanceLimitsTheCheckKept() throws {
        var limits = MastodonFakeServer.Limits()
        limits.maxCharacters = 1000
        let fake = try MastodonFakeServer(limits: limits)
        defer { fake.stop() }
        let queue = try PlatformQueue(channel: "big", settings: "platform: mastodon")
        queue.directory.write(
            "queue: \(queue.queue)\ntimezone: UTC\nchannels:\n  big:\n    platform: mastodon\n    url: \(fake.url)\n"
                + "    token: \(queue.secret("token", fake.token))\n", to: "crier.yml")
        #expect(try queue.crier(["run", "--once"]).status == 0, "the journal, where the check keeps what it read")
        queue.post("long.md", "---\nchannels: [big]\nlong: reject\n---\n\(String(repeating: "seven ", count: 120))\n")
        let before = try queue.crier(["preview", "--json"])
        #expect(before.status == 1, "720 characters against Mastodon's default 500 under long: reject")
        let check = try queue.crier(["check", "--online"])
        #expect(check.status == 0, "\(check.output)\(check.error)")
        let after = try queue.crier(["preview", "--json"])
        #expect(after.status == 0, "\(after.output)\(after.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(after.output.utf8)) as? [String: Any])
        let delivery = try #require(((object["posts"] as? [[String: Any]])?.first?["deliveries"] as? [[String: Any]])?.first)
        #expect((delivery["parts"] as? [[String: Any]])?.first?["limit"] as? Int == 1000)
        #expect((delivery["warnings"] as? [String])?.contains { $0.contains("instance's own limit, 1000 characters") } == true, "\(delivery)")
    }
}
