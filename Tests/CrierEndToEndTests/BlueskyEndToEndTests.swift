import CrierCore
import CrierTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization
import Testing

/// The real `crier` binary delivering to a loopback PDS fake that checks the session flow, facets
/// (UTF-8 byte ranges that match their text), reply refs, blob refs and record keys.
@Suite(.serialized) struct BlueskyEndToEndTests {
    func installation(_ fake: BlueskyFakeServer, extra: String = "") throws -> PlatformQueue {
        let queue = try PlatformQueue(channel: "bluesky", settings: "platform: bluesky")
        let password = queue.secret("app-password", fake.appPassword)
        queue.directory.write(
            "queue: \(queue.queue)\ntimezone: UTC\nretry: { base: 200ms, max_delay: 2s, max_attempts: 8 }\n"
                + "delivery: { rescan: 1s, settle_time: 200ms, drain_timeout: 5s }\nchannels:\n  bluesky:\n    platform: bluesky\n"
                + "    url: \(fake.url)\n    handle: \(fake.handle)\n    app_password: \(password)\n"
                + "    limits: { min_gap: 0s, jitter: 0s }\n    duplicates: { policy: allow }\n\(extra)",
            to: "crier.yml")
        return queue
    }

    @Test func emojiAndCJKTextWithLinksMentionsAndTagsGetFacetsOnByteBoundaries() throws {
        let fake = try BlueskyFakeServer(knownHandles: ["alice.test": "did:plc:alice0000000000000000"])
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.post("facets.md", "---\nchannels: [bluesky]\nlanguage: ja\n---\n"
                   + "🎉👩‍👩‍👧 新しいリリース https://crier.dev/v2 を見て #リリース 🚀 cc @alice.test and @nobody.test — 詳細 https://example.com/notes?ä=1 ✨\n")
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let record = try #require(fake.records.first, "\(run.error)")
        let links = record.facets.compactMap { $0["link"] }
        #expect(links == ["https://crier.dev/v2", "https://example.com/notes?ä=1"], "\(record.facets)")
        #expect(record.facets.compactMap { $0["tag"] } == ["リリース"])
        #expect(record.facets.compactMap { $0["mention"] } == ["did:plc:alice0000000000000000"], "an unknown handle stays plain text")
        #expect(record.langs == ["ja"])
        #expect(fake.requests.filter { $0.hasSuffix("resolveHandle") }.count == 2, "each handle resolved once")
        let receipt = try #require(queue.receipt("facets"))
        let url = (receipt["deliveries"] as? [[String: Any]])?.first?["remote_url"] as? String
        #expect(url == "https://bsky.app/profile/\(fake.did)/post/\(record.rkey)")
    }

    @Test func aThreadOfFourRepliesToItsRootAndEachPreviousPart() throws {
        let fake = try BlueskyFakeServer()
        defer { fake.stop() }
        let queue = try installation(fake, extra: "    limit: 80\n    long: thread\n")
        queue.media("media/a.png", PlatformQueue.png(width: 1200, height: 675))
        let text = (1...4).map { "Part \($0) of four, with enough words to need its own post in this thread." }.joined(separator: "\n\n")
        queue.post("thread.md", "---\nchannels: [bluesky]\nmedia:\n  - file: media/a.png\n    alt: A wide chart\n---\n\(text)\n")
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let records = fake.records
        try #require(records.count == 4, "\(records.map(\.text)) \(run.error)")
        #expect(records[0].rootURI == nil && records[0].imageAlts == ["A wide chart"])
        for index in 1..<4 {
            #expect(records[index].rootURI == records[0].uri)
            #expect(records[index].parentURI == records[index - 1].uri)
        }
        #expect(records.map(\.rkey) == records.map(\.rkey).sorted(), "record keys sort in thread order")
        #expect(fake.logins == 1)
    }

    @Test func aLostAnswerToACreateIsReconciledByItsKeyAndPostsOnce() throws {
        let dropped = Mutex(false)
        let fake = try BlueskyFakeServer { request, _ in
            guard request.path.hasSuffix("com.atproto.repo.createRecord") else { return nil }
            return dropped.withLock { done in
                defer { done = true }
                return done ? nil : .dropAfterActing
            }
        }
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.post("lost.md", "---\nchannels: [bluesky]\n---\nThe answer to this create is lost on the way back.\n")
        let run = try queue.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.records.count == 1)
        #expect(fake.requests.filter { $0.hasSuffix("createRecord") }.count == 1, "never sent again blindly")
        #expect(fake.requests.contains("GET com.atproto.repo.getRecord"), "looked up by its record key")
        let receipt = try #require(queue.receipt("lost"), "\(run.error)")
        let delivery = try #require((receipt["deliveries"] as? [[String: Any]])?.first)
        #expect(delivery["remote_id"] as? String == fake.records.first?.uri)
    }

    @Test func theFakeRefusesARepeatedRecordKeyAsThePDSDoes() throws {
        let fake = try BlueskyFakeServer()
        defer { fake.stop() }
        let login = try post(fake.url + "/xrpc/com.atproto.server.createSession", json: ["identifier": fake.handle, "password": fake.appPassword])
        let token = try #require(login.json["accessJwt"] as? String)
        let body: [String: Any] = ["repo": fake.did, "collection": "app.bsky.feed.post", "rkey": "3jzfcijpj2z2a",
                                   "record": ["$type": "app.bsky.feed.post", "text": "once", "createdAt": "2026-12-07T00:00:00.000Z"]]
        let first = try post(fake.url + "/xrpc/com.atproto.repo.createRecord", json: body, bearer: token)
        let second = try post(fake.url + "/xrpc/com.atproto.repo.createRecord", json: body, bearer: token)
        #expect(first.status == 200)
        #expect(second.status == 500 && second.json["error"] as? String == "InternalServerError")
        #expect(fake.records.count == 1)
    }

    /// A JSON POST straight to the fake (not through crier).
    func post(_ url: String, json: [String: Any], bearer: String? = nil) throws -> (status: Int, json: [String: Any]) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONSerialization.data(withJSONObject: json)
        let result = Mutex<(Int, Data)?>(nil)
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result.withLock { $0 = ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()) }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        let (status, data) = result.withLock { $0 } ?? (0, Data())
        return (status, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    @Test func aHundredPostsCostOneLoginAndAnExpiredTokenIsRefreshed() throws {
        let fake = try BlueskyFakeServer(loginLimit: 3)
        defer { fake.stop() }
        let queue = try installation(fake)
        for index in 0..<50 { queue.post(String(format: "first-%03d.md", index), "---\nchannels: [bluesky]\n---\nBatch one, post \(index).\n") }
        let daemon = try queue.daemon()
        defer {
            daemon.kill(SIGTERM)
            daemon.waitForExit(timeout: 10)
        }
        #expect(eventually(timeout: 60) { fake.records.count == 50 }, "\(fake.records.count) \(daemon.standardError.suffix(2000))")
        fake.expireAccessTokens()
        for index in 0..<50 { queue.post(String(format: "second-%03d.md", index), "---\nchannels: [bluesky]\n---\nBatch two, post \(index).\n") }
        #expect(eventually(timeout: 60) { fake.records.count == 100 }, "\(fake.records.count) \(daemon.standardError.suffix(2000))")
        #expect(fake.logins == 1, "one createSession for a hundred posts")
        #expect(fake.refreshes == 1, "ExpiredToken → one refreshSession")
        #expect(fake.violations.filter { !$0.contains("unknown access token") }.isEmpty, "\(fake.violations)")
        #expect(!daemon.standardError.contains(fake.appPassword), "the app password never appears in a log line")
    }

    @Test func checkOnlineUsesTheSessionTheDaemonKeeps() throws {
        let fake = try BlueskyFakeServer()
        defer { fake.stop() }
        let queue = try installation(fake)
        queue.post("before-check.md", "---\nchannels: [bluesky]\n---\nPosted before the check.\n")
        #expect(try queue.crier(["run", "--once"]).status == 0)
        let check = try queue.crier(["check", "--online"])
        #expect(check.status == 0, "\(check.output)\(check.error)")
        #expect((check.output + check.error).contains("ok as @\(fake.handle) (\(fake.did))"), "\(check.output)\(check.error)")
        #expect(!(check.output + check.error).contains(fake.appPassword))
        #expect(fake.requests.last == "GET com.atproto.server.getSession")
        queue.post("after-check.md", "---\nchannels: [bluesky]\n---\nPosted after the check.\n")
        #expect(try queue.crier(["run", "--once"]).status == 0)
        #expect(fake.records.count == 2)
        #expect(fake.logins == 1, "the daemon's session serves the check and the next run: one login")
    }
}
