import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// The real `crier` binary against a real Synapse (`scripts/synapse.sh start`), each test in a room
/// of its own, looked at afterwards through the client API: what is in the room, once, in order.
@Suite(.serialized) struct MatrixEndToEndTests {
    /// A 1×1 PNG.
    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")!

    static let thread = """
        First paragraph of the Matrix thread test.

        Second paragraph, which becomes part two.

        Third paragraph closes the thread here.
        """

    /// A queue and a config with one Matrix channel `room` (the token in a file beside it).
    final class Setup {
        let directory = TemporaryDirectory(prefix: "crier-matrix")
        var queue: String { directory.path + "/queue" }
        var configPath: String { directory.path + "/crier.yml" }

        init(url: String, room: String, token: String, channelExtra: String = "") throws {
            try FileManager.default.createDirectory(atPath: directory.path + "/queue/media", withIntermediateDirectories: true)
            directory.write(token, to: "token")
            directory.write("""
                queue: \(directory.path)/queue
                timezone: UTC
                retry: { base: 1s, max_delay: 2s, max_attempts: 8 }
                delivery: { rescan: 2s, settle_time: 500ms, drain_timeout: 5s }
                channels:
                  room:
                    platform: matrix
                    url: \(url)
                    room: "\(room)"
                    token: file:\(directory.path)/token
                    limit: 60
                    long: thread
                \(channelExtra)
                """, to: "crier.yml")
        }

        func drop(_ name: String, _ text: String, media: Bool = false) {
            if media { FileManager.default.createFile(atPath: queue + "/media/chart.png", contents: MatrixEndToEndTests.png) }
            let front = media ? "media:\n  - file: media/chart.png\n    alt: A chart of build times going down\n" : ""
            directory.write("---\nchannels: [room]\n\(front)---\n\(text)\n", to: "queue/\(name).md")
        }

        func crier(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
            try CrierProcess.run(arguments + ["--config", configPath])
        }

        func receipt(_ state: String, _ post: String) throws -> [[String: Any]] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(queue)/\(state)/\(post).receipt.json"))
            return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["deliveries"] as? [[String: Any]] ?? []
        }

        func count(_ state: String) -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(queue)/\(state)")) ?? []).filter { $0.hasSuffix(".receipt.json") }.count
        }
    }

    static func content(_ event: [String: Any]) -> [String: Any] { event["content"] as? [String: Any] ?? [:] }
    static func relation(_ event: [String: Any]) -> [String: Any]? { content(event)["m.relates_to"] as? [String: Any] }
    static func replyTo(_ event: [String: Any]) -> String? { (relation(event)?["m.in_reply_to"] as? [String: Any])?["event_id"] as? String }

    @Test func checkAcceptsAMatrixChannel() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let setup = try Setup(url: homeserver.url, room: "#crier:\(homeserver.serverName)", token: homeserver.token)
        let check = try setup.crier(["check"])
        #expect(check.status == 0, "\(check.output)\(check.error)")
        #expect(!(check.output + check.error).contains(homeserver.token))
    }

    @Test func aThreePartThreadWithAnImageArrivesOnceInOrderAsAThread() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let room = try homeserver.createRoom("thread with an image")
        let setup = try Setup(url: homeserver.url, room: room, token: homeserver.token)
        setup.drop("thread", Self.thread, media: true)
        let run = try setup.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(!run.error.contains(homeserver.token), "the token is never logged")
        let deliveries = try setup.receipt("sent", "thread")
        try #require(deliveries.count == 3, "three parts: \(deliveries)")

        let events = try homeserver.messages(in: room)
        try #require(events.count == 4, "three texts and one image, each once: \(events.map(Self.content))")
        let (first, image, second, third) = (events[0], events[1], events[2], events[3])
        let ids = events.map { $0["event_id"] as? String ?? "" }
        #expect(Self.content(first)["body"] as? String == "First paragraph of the Matrix thread test. 1/3")
        #expect(Self.relation(first) == nil, "part 1 is the thread's root")
        #expect(Self.content(image)["msgtype"] as? String == "m.image")
        #expect(Self.content(image)["body"] as? String == "A chart of build times going down", "the alt text is the image's body")
        #expect((Self.content(image)["url"] as? String)?.hasPrefix("mxc://\(homeserver.serverName)/") == true)
        #expect(Self.relation(image)?["rel_type"] as? String == "m.thread")
        #expect(Self.relation(image)?["event_id"] as? String == ids[0])
        #expect(Self.content(second)["body"] as? String == "Second paragraph, which becomes part two. 2/3")
        #expect(Self.relation(second)?["rel_type"] as? String == "m.thread")
        #expect(Self.relation(second)?["event_id"] as? String == ids[0])
        #expect(Self.replyTo(second) == ids[0], "the reply fallback names the previous part")
        #expect(Self.content(third)["body"] as? String == "Third paragraph closes the thread here. 3/3")
        #expect(Self.relation(third)?["event_id"] as? String == ids[0])
        #expect(Self.replyTo(third) == ids[2])

        // The receipt names each part's event, and each event's transaction id is its delivery id.
        for (delivery, event) in zip(deliveries, [first, second, third]) {
            #expect(delivery["remote_id"] as? String == event["event_id"] as? String)
            #expect((delivery["remote_url"] as? String)?.hasPrefix("https://matrix.to/#/\(MatrixRequests.pathSegment(room))/%24") == true)
            #expect((event["unsigned"] as? [String: Any])?["transaction_id"] as? String == delivery["id"] as? String)
        }
    }

    @Test func aLostAnswerIsRetriedWithTheSameTransactionAndPostsOnce() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let room = try homeserver.createRoom("lost answer")
        // Only the first send loses its answer.
        let lostOne = Mutex(false)
        let proxy = try MatrixProxy(upstream: homeserver.url) { request, _ in
            guard request.method == "PUT", request.path.contains("/send/") else { return nil }
            return lostOne.withLock { lost in
                defer { lost = true }
                return lost ? nil : .loseAnswer
            }
        }
        defer { proxy.stop() }
        let setup = try Setup(url: proxy.url, room: room, token: homeserver.token)
        setup.drop("lost", "A post whose first answer never comes back.")
        let run = try setup.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let sends = proxy.sends
        try #require(sends.count == 2, "sent, answer lost, sent again: \(sends)")
        #expect(sends[0].path == sends[1].path, "the same transaction id both times")
        #expect(!sends[0].answered && sends[1].answered)
        let eventIDs = sends.map { (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["event_id"] as? String }
        #expect(eventIDs[0] != nil && eventIDs[0] == eventIDs[1], "Synapse answered the repeat with the first event: \(eventIDs)")
        let events = try homeserver.messages(in: room)
        #expect(events.count == 1, "one event in the room: \(events.map(Self.content))")
        #expect(try setup.receipt("sent", "lost").first?["remote_id"] as? String == eventIDs[0])
    }

    @Test func aKillBetweenPartsWithAnAnswerInFlightLeavesEachPartOnceInOrder() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let room = try homeserver.createRoom("kill -9")
        // The answer to part 2's send is held (Synapse has made the event) while the daemon is killed.
        let proxy = try MatrixProxy(upstream: homeserver.url) { request, _ in
            let body = String(decoding: request.body, as: UTF8.self)
            return request.method == "PUT" && body.contains("2/3") ? .holdAnswer(seconds: 30) : nil
        }
        defer { proxy.stop() }
        let setup = try Setup(url: proxy.url, room: room, token: homeserver.token)
        setup.drop("killed", Self.thread)
        let daemon = CrierProcess(["run", "--config", setup.configPath])
        try daemon.start()
        let deadline = Date().addingTimeInterval(60)
        while proxy.sends.count < 2, Date() < deadline { usleep(50_000) }
        try #require(proxy.sends.count == 2, "part 2 reached the homeserver: \(proxy.log)\n\(daemon.standardError)")
        daemon.kill(SIGKILL)
        #expect(daemon.waitForExit(timeout: 10))
        #expect(setup.count("sent") == 0, "killed before the post was filed")

        // Unfaulted from here: the restart sends part 2 again (same transaction) and part 3.
        let restarted = try MatrixProxy(upstream: homeserver.url) { _, _ in nil }
        defer { restarted.stop() }
        let config = try String(contentsOfFile: setup.configPath, encoding: .utf8).replacingOccurrences(of: proxy.url, with: restarted.url)
        setup.directory.write(config, to: "crier.yml")
        let run = try setup.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let before = proxy.sends.map(\.path)
        let after = restarted.sends.map(\.path)
        #expect(after.count == 2 && after.first == before[1], "part 2 again with its transaction id, then part 3; part 1 not again: \(before) \(after)")
        let events = try homeserver.messages(in: room)
        try #require(events.count == 3, "each part once: \(events.map(Self.content))")
        #expect(events.map { Self.content($0)["body"] as? String ?? "" }.map { String($0.suffix(3)) } == ["1/3", "2/3", "3/3"])
        let root = events[0]["event_id"] as? String
        #expect(Self.relation(events[1])?["event_id"] as? String == root)
        #expect(Self.relation(events[2])?["event_id"] as? String == root)
        #expect(Self.replyTo(events[2]) == events[1]["event_id"] as? String)
        let deliveries = try setup.receipt("sent", "killed")
        #expect(deliveries.map { $0["remote_id"] as? String } == events.map { $0["event_id"] as? String })
    }

    @Test func synapsesRateLimitIsWaitedOut() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let setup = try Setup(url: homeserver.url, room: homeserver.limitedRoom, token: homeserver.limitedToken,
                              channelExtra: "    duplicates: { policy: allow }\n    breaker: 0")
        let before = try homeserver.messages(in: homeserver.limitedRoom, token: homeserver.limitedToken).count
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
        for word in words { setup.drop("burst-\(word)", "Burst post \(word) against the rate limit.") }
        let daemon = CrierProcess(["run", "--config", setup.configPath])
        try daemon.start()
        let deadline = Date().addingTimeInterval(120)
        while setup.count("sent") < words.count, Date() < deadline { usleep(100_000) }
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        #expect(setup.count("sent") == words.count, "every post sent: \(daemon.standardError)")
        #expect(daemon.standardError.contains("rate limited by the homeserver (M_LIMIT_EXCEEDED"), "Synapse's limit was met")
        let events = try homeserver.messages(in: homeserver.limitedRoom, token: homeserver.limitedToken).dropFirst(before)
        #expect(events.map { Self.content($0)["body"] as? String ?? "" }.sorted() == words.map { "Burst post \($0) against the rate limit." }.sorted(),
                "each post once")
        var retried = 0
        for word in words {
            let attempts = try setup.receipt("sent", "burst-\(word)").first?["attempts"] as? Int ?? 0
            #expect(attempts <= 2, "burst-\(word): a limited send is tried again only after the wait Synapse asked for")
            if attempts > 1 { retried += 1 }
        }
        #expect(retried > 0)
    }

    @Test func aRoomTheAccountIsNotInFailsWithWhatToDo() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let setup = try Setup(url: homeserver.url, room: homeserver.limitedRoom, token: homeserver.token)
        setup.drop("outsider", "A post to a room alice is not in.")
        let run = try setup.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let error = try setup.receipt("failed", "outsider").first?["error"] as? String ?? ""
        #expect(error.contains("matrix channel 'room': send: M_FORBIDDEN"), "\(error)")
        #expect(error.contains("invite the account to \(homeserver.limitedRoom) and join it"))
    }

    @Test func aRevokedTokenFailsWithWhatToDo() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let setup = try Setup(url: homeserver.url, room: homeserver.limitedRoom, token: "syt_not_a_token_of_this_server")
        setup.drop("revoked", "A post with a token the homeserver does not know.")
        #expect(try setup.crier(["run", "--once"]).status == 0)
        let error = try setup.receipt("failed", "revoked").first?["error"] as? String ?? ""
        #expect(error.contains("M_UNKNOWN_TOKEN"), "\(error)")
        #expect(error.contains("give the channel a new `token`"))
        #expect(!error.contains("syt_not_a_token_of_this_server"))
    }
}

/// Login mode (`user` + `password`) and `crier check --online`, against the same Synapse.
@Suite(.serialized) struct MatrixSessionEndToEndTests {
    @Test func twentyPostsCostOneLoginAndExpiredTokensAreRefreshed() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let room = try homeserver.createRoom("login mode")
        let proxy = try MatrixProxy(upstream: homeserver.url) { _, _ in nil }
        defer { proxy.stop() }
        let setup = try MatrixEndToEndTests.Setup(url: proxy.url, room: room, token: "", channelExtra: """
                user: \(homeserver.user)
                password: file:\(FileManager.default.temporaryDirectory.path)/unused
                duplicates: { policy: allow }
            """)
        // The password instead of the token: `token:` removed, `password:` pointing at a file.
        setup.directory.write(homeserver.password, to: "password")
        let config = try String(contentsOfFile: setup.configPath, encoding: .utf8)
            .replacingOccurrences(of: "    token: file:\(setup.directory.path)/token\n", with: "")
            .replacingOccurrences(of: "file:\(FileManager.default.temporaryDirectory.path)/unused", with: "file:\(setup.directory.path)/password")
        setup.directory.write(config, to: "crier.yml")
        let check = try setup.crier(["check"])
        #expect(check.status == 0, "\(check.output)\(check.error)")

        let count = 20
        for index in 1...count { setup.drop(String(format: "login-%02d", index), "Login mode post number \(index) of \(count).") }
        let daemon = CrierProcess(["run", "--config", setup.configPath])
        try daemon.start()
        let deadline = Date().addingTimeInterval(150)
        while setup.count("sent") < count, Date() < deadline { usleep(100_000) }
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        #expect(setup.count("sent") == count, "\(daemon.standardError)")

        let logins = proxy.log.filter { $0.path == "/_matrix/client/v3/login" }
        let refreshes = proxy.log.filter { $0.path == "/_matrix/client/v3/refresh" }
        #expect(logins.count == 1, "one login for \(count) posts: \(logins)")
        #expect(refreshes.count >= 1, "Synapse's 15 s tokens expired during the run and were refreshed")
        #expect(refreshes.allSatisfy { $0.status == 200 })
        let events = try homeserver.messages(in: room)
        #expect(events.count == count, "each post once")
        #expect(Set(events.map { ($0["content"] as? [String: Any])?["body"] as? String ?? "" }).count == count)
        #expect(Set(events.compactMap { $0["sender"] as? String }) == ["@\(homeserver.user):\(homeserver.serverName)"])
        // Neither the password nor a session token ever reaches the log.
        let tokens = (logins + refreshes).compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any])?["access_token"] as? String
        }
        #expect(!tokens.isEmpty)
        for secret in tokens + [homeserver.password] { #expect(!daemon.standardError.contains(secret)) }
    }

    @Test func checkOnlineSaysWhoCrierIsAndWhereOrWhatIsWrong() throws {
        guard let homeserver = MatrixHomeserver.running() else { return }
        let alias = "#crier:\(homeserver.serverName)"
        let good = try MatrixEndToEndTests.Setup(url: homeserver.url, room: alias, token: homeserver.token)
        let ok = try good.crier(["check", "--online"])
        #expect(ok.status == 0, "\(ok.output)\(ok.error)")
        #expect(ok.output.contains("channel room: ok: ok as @alice:\(homeserver.serverName) in \(alias) (!"), "\(ok.output)")

        let outside = try MatrixEndToEndTests.Setup(url: homeserver.url, room: homeserver.limitedRoom, token: homeserver.token)
        let problem = try outside.crier(["check", "--online"])
        #expect(problem.status == 1)
        #expect(problem.output.contains("channel room: problem: @alice:\(homeserver.serverName) is not in \(homeserver.limitedRoom): invite it"),
                "\(problem.output)\(problem.error)")

        let revoked = try MatrixEndToEndTests.Setup(url: homeserver.url, room: alias, token: "syt_revoked_token")
        let refused = try revoked.crier(["check", "--online"])
        #expect(refused.status == 1)
        #expect(refused.output.contains("M_UNKNOWN_TOKEN"), "\(refused.output)")
        #expect(!(refused.output + refused.error).contains("syt_revoked_token"))
    }
}
