import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// Channel sessions (`ChannelSession`, session steps): one login for many posts, the session kept
/// in the journal across restarts, and one renewal when the platform says it expired.
@Suite struct SessionDeliveryTests {
    static let config = """
        timezone: UTC
        retry: { base: 10s, max_attempts: 3 }
        delivery: { settle_time: 0s }
        channels:
          chat:
            platform: webhook
            url: http://127.0.0.1:9/hook
        """

    func harness(_ transport: SessionFakeTransport, directory: TemporaryDirectory = TemporaryDirectory()) throws -> EngineHarness {
        try EngineHarness(configText: Self.config, transport: transport, directory: directory,
                          routing: { $0.routing("chat", as: .matrix, through: SessionFakeAdapter()) })
    }

    func dropPosts(_ harness: EngineHarness, count: Int, prefix: String) {
        for index in 1...count {
            harness.drop("\(prefix)\(index).md", "---\nchannels: [chat]\n---\nPost \(prefix) number \(index) says something new.\n")
        }
    }

    @Test func twentyPostsDueAtOnceCostOneLoginAndTheSessionIsJournaled() throws {
        let transport = SessionFakeTransport()
        let harness = try harness(transport)
        dropPosts(harness, count: 20, prefix: "a")
        harness.settle()

        #expect(transport.logins == 1)
        #expect(transport.posts.count == 20)
        #expect(transport.refused == 0)
        let stored = try harness.journal.sessions()["chat"]
        #expect(stored?["token"] == "token-1")
        #expect(stored?.generation == 1)
        #expect(!"\(stored!)".contains("token-1")) // the description never shows a value
    }

    @Test func aRestartUsesTheJournaledSessionWithoutLoggingInAgain() throws {
        let transport = SessionFakeTransport()
        let first = try harness(transport)
        dropPosts(first, count: 3, prefix: "a")
        first.settle()
        first.engine.queue.sync { first.engine.stopAccepting() }

        let second = try harness(transport, directory: first.directory)
        dropPosts(second, count: 3, prefix: "b")
        second.settle()

        #expect(transport.logins == 1)
        #expect(transport.posts.count == 6)
    }

    @Test func anExpiredSessionIsRenewedOnceAndEveryPostGoesOut() throws {
        let transport = SessionFakeTransport()
        let harness = try harness(transport)
        dropPosts(harness, count: 2, prefix: "a")
        harness.settle()
        transport.expireTokens()

        dropPosts(harness, count: 10, prefix: "b")
        harness.settle()

        #expect(transport.posts.count == 12)
        #expect(transport.logins == 2)
        #expect(transport.refused >= 1)
        #expect(try harness.journal.sessions()["chat"]?["token"] == "token-2")
    }

    /// Ten posts sent at once with a token that has just expired: ten refusals, one renewal, and the
    /// circuit breaker (five failures in a row) stays shut — an expired session is not a broken channel.
    @Test func refusalsOfAnExpiredSessionDoNotOpenTheBreaker() throws {
        let transport = SessionFakeTransport()
        let harness = try harness(transport)
        dropPosts(harness, count: 1, prefix: "a")
        harness.settle()
        transport.expireTokens()
        // One intake batch: every post is started before the first refusal comes back.
        for index in 1...10 {
            harness.directory.write("---\nchannels: [chat]\n---\nPost b number \(index) says something new.\n", to: "queue/b\(index).md")
        }
        harness.scan()
        harness.settle()

        #expect(transport.refused >= 5, "the posts went out together with the expired token")
        #expect(transport.posts.count == 11)
        #expect(transport.logins == 2)
        #expect(harness.queue.sync { harness.engine.gates["chat"]?.state.isOpen } == false)
    }

    @Test func theOnlineCheckLogsInOnceKeepsTheSessionAndSaysWhoItIs() throws {
        let transport = SessionFakeTransport()
        let harness = try harness(transport)
        let runtime = harness.engine.queue.sync { harness.engine.runtime }

        let first = OnlineCheck.run(runtime, transport: transport, journal: harness.journal)
        let second = OnlineCheck.run(runtime, transport: transport, journal: harness.journal)

        #expect(first == [OnlineCheck.Report(channel: "chat", ok: true, message: "ok as @crierbot")])
        #expect(second == first)
        #expect(transport.logins == 1)
        #expect(transport.posts.isEmpty)
        #expect(try harness.journal.sessions()["chat"]?["token"] == "token-1")
    }

    @Test func aSessionACommandStoredIsAdoptedByTheRunningEngine() throws {
        let transport = SessionFakeTransport()
        let harness = try harness(transport)
        dropPosts(harness, count: 1, prefix: "a")
        harness.settle()
        // `crier auth` stores a newer session (and touches the control stamp, which makes the daemon
        // call update(sessions:)): the engine uses it instead of logging in again.
        transport.expireTokens()
        try harness.journal.commitNow([.storeSession(channel: "chat", ChannelSession(values: ["token": "nobody-has-this-one"], generation: 5))])
        harness.engine.queue.sync { harness.engine.update(sessions: (try? harness.journal.sessions()) ?? [:]) }
        dropPosts(harness, count: 2, prefix: "b")
        harness.settle()

        #expect(transport.logins == 1)
        #expect(transport.posts.count == 3)
    }

    @Test func aTokenThatCannotBeRefreshedIsAlertedOnceAWeekBeforeItExpires() throws {
        let transport = SessionFakeTransport()
        let harness = try EngineHarness(configText: Self.config + "\n  ops:\n    platform: webhook\n    url: http://127.0.0.1:9/hook\nalerts: ops\n",
                                        transport: transport, routing: { $0.routing("chat", as: .matrix, through: SessionFakeAdapter()) },
                                        alerts: true)
        let expiresAt = harness.clock.now().addingTimeInterval(2 * 86_400)
        try harness.journal.commitNow([.storeSession(channel: "chat", ChannelSession(values: ["token": "t"], expiresAt: expiresAt, generation: 1))])
        harness.engine.queue.sync {
            harness.engine.update(sessions: (try? harness.journal.sessions()) ?? [:])
            harness.engine.warnAboutExpiringTokens()
            harness.engine.warnAboutExpiringTokens()
        }
        let alerts = harness.directory.files(in: "queue").filter { $0.hasPrefix(AlertPoster.idPrefix) }
        #expect(alerts.count == 1)
        let text = alerts.first.flatMap { FileManager.default.contents(atPath: harness.layout.pending($0)) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(text.contains("the token of channel 'chat' expires at"))
        #expect(text.contains("run `crier auth chat` before then"))
    }
}
