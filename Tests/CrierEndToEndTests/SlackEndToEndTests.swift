import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The real `crier` binary delivering to the strict fake Slack, as a bot and as an incoming webhook.
@Suite(.serialized) struct SlackEndToEndTests {
    static let token = "xoxb-9999-8888-endToEndToken"

    @Test func aBotThreadGoesUnderPartOneWithPermalinksAndAWebhookRefusesAThreadNamingTheChannel() throws {
        let server = try SlackFakeServer(token: Self.token, memberOf: ["C0NEWS"], otherChannels: ["C0QUIET"])
        defer { server.stop() }
        let installation = try Installation(channels: [])
        let token = installation.secretFile("secret-slack", Self.token)
        let hook = installation.secretFile("secret-hook", server.webhookURL)
        installation.writeChatConfig("""
              team:
                platform: slack
                url: \(server.apiRoot)
                token: \(token)
                channel: C0NEWS
                limit: 80
              hook:
                platform: slack
                webhook_url: \(hook)
                limit: 80
              quiet:
                platform: slack
                url: \(server.apiRoot)
                token: \(token)
                channel: C0QUIET
              short:
                platform: slack
                webhook_url: \(hook)

            """)
        let check = try installation.crier(["check"])
        #expect(check.status == 0, "\(check.output) \(check.error)")
        installation.directory.write("---\nchannels: [team, hook, quiet, short]\n---\nFirst the **news** & what changed in it. "
                                     + "Then the second part of it, which is long enough. And a third part closes the thread for good.\n",
                                     to: "queue/launch.md")
        let run = try installation.crier(["run", "--once", "--log-level", "debug"])
        #expect(server.violations.isEmpty, "\(server.violations)")
        let team = server.messages.filter { $0.channel == "C0NEWS" }
        #expect(team.count == 3)
        #expect(team.map(\.threadTS) == [nil, team[0].ts, team[0].ts], "later parts go into part 1's thread")
        #expect(team[0].text.contains("*news* &amp; what"), "\(team[0].text)")
        let deliveries = installation.receiptDeliveries("launch", in: "failed")
        #expect(deliveries.count == 8, "team 3, hook 3, quiet 1, short 1")
        #expect(deliveries.filter { $0["channel"] as? String == "team" }.compactMap { $0["remote_url"] as? String }
                    == team.map { "https://fake.slack.com/archives/C0NEWS/p\($0.ts.replacingOccurrences(of: ".", with: ""))" })
        let hooked = deliveries.filter { $0["channel"] as? String == "hook" }
        #expect((hooked.first?["error"] as? String)?.contains("slack channel 'hook' is an incoming webhook, which cannot reply in a thread") == true,
                "\(hooked)")
        #expect(hooked.dropFirst().allSatisfy { $0["error"] as? String == "not sent: part 1 of this thread failed" }, "\(hooked)")
        let quiet = try #require(deliveries.first { $0["channel"] as? String == "quiet" })
        #expect((quiet["error"] as? String)?.contains("not_in_channel: invite the bot to the channel") == true, "\(quiet)")
        let short = try #require(deliveries.first { $0["channel"] as? String == "short" })
        #expect(short["status"] as? String == "sent", "a webhook takes a post that fits in one message")
        #expect(server.messages.filter { $0.viaWebhook }.count == 1, "nothing of the thread went to the webhook")
        let everything = run.output + run.error + installation.everythingWritten()
        #expect(!everything.contains(Self.token) && !everything.contains("fakeWebhookSecret123"), "no secret in logs, receipts or the journal")
    }

    @Test func anImageIsUploadedAndSharedWithTheTextOnceAndItsTsIsLookedUp() throws {
        let server = try SlackFakeServer(token: Self.token, memberOf: ["C0NEWS"])
        defer { server.stop() }
        let installation = try Installation(channels: [])
        installation.writeChatConfig("""
              team:
                platform: slack
                url: \(server.apiRoot)
                token: \(installation.secretFile("secret-slack", Self.token))
                channel: C0NEWS

            """)
        let png = TestImages.png(width: 16, height: 16, sigma: 8)
        try FileManager.default.createDirectory(atPath: installation.queue + "/media", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: installation.queue + "/media/chart.png", contents: png))
        installation.directory.write("---\nchannels: [team]\nmedia:\n  - file: media/chart.png\n    alt: A rising chart\n---\nThe chart.\n",
                                     to: "queue/chart.md")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(server.violations.isEmpty, "\(server.violations)")
        #expect(server.messages.map(\.text) == ["The chart."])
        #expect(server.messages.first?.files.map(\.altText) == ["A rising chart"])
        #expect(server.files.count == 1, "uploaded once")
        let delivery = try #require(installation.receiptDeliveries("chart", in: "sent").first)
        #expect(delivery["remote_id"] as? String == server.messages.first?.ts)
        #expect((delivery["remote_url"] as? String)?.hasPrefix("https://fake.slack.com/archives/C0NEWS/p") == true)
    }
}
