import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The real `crier` binary delivering to the strict fake Discord API, as a bot and as a webhook.
@Suite(.serialized) struct DiscordEndToEndTests {
    static let token = "ODk4NzY1NDMyMTA5ODc2NTQz.e2e.bot-token_qrs"

    static let thread = "---\nchannels: [bot, hook, hidden]\n---\nFirst the **news** and what changed in it. Then the second part of it, "
        + "which is long enough. And a third part closes the thread for good.\n"

    @Test func aBotThreadSurvivesALostAnswerThroughItsNonceAndAWebhookPostsConsecutiveMessages() throws {
        // The answer to the bot's first message is lost after Discord made it: crier sends it again
        // with the same nonce and Discord answers with the message it already has.
        let server = try DiscordFakeServer(botToken: Self.token, channels: ["555"], hiddenChannels: ["666"]) { request, index in
            index == 0 && request.path.contains("/channels/555/") ? .dropAfterActing : nil
        }
        defer { server.stop() }
        let installation = try Installation(channels: [])
        let token = installation.secretFile("secret-discord", Self.token)
        let hook = installation.secretFile("secret-hook", server.webhookURL)
        installation.writeChatConfig("""
              bot:
                platform: discord
                url: \(server.apiRoot)
                token: \(token)
                channel: "555"
                limit: 80
              hook:
                platform: discord
                webhook_url: \(hook)
                limit: 80
              hidden:
                platform: discord
                url: \(server.apiRoot)
                token: \(token)
                channel: "666"

            """)
        let check = try installation.crier(["check"])
        #expect(check.status == 0, "\(check.output) \(check.error)")
        installation.directory.write(Self.thread, to: "queue/launch.md")
        let run = try installation.crier(["run", "--once", "--log-level", "debug"])
        #expect(server.violations.isEmpty, "\(server.violations)")
        let bot = server.messages.filter { !$0.viaWebhook }
        let hooked = server.messages.filter { $0.viaWebhook }
        #expect(bot.count == 3, "each part exactly once despite the lost answer: \(bot.map(\.content))")
        #expect(bot.map(\.replyTo) == [nil, bot[0].id, bot[1].id])
        #expect(Set(bot.compactMap(\.nonce)).count == 3)
        #expect(hooked.count == 3 && hooked.allSatisfy { $0.replyTo == nil }, "a webhook thread is consecutive messages")
        #expect(server.messages.allSatisfy { $0.parse == [] }, "no pings by accident")
        let deliveries = installation.receiptDeliveries("launch", in: "failed")
        #expect(deliveries.filter { $0["channel"] as? String == "bot" }.compactMap { $0["remote_url"] as? String }
                    == bot.map { "https://discord.com/channels/\(server.guildID)/555/\($0.id)" }, "jump links")
        #expect(server.channelLookups == 1, "the bot channel's guild is looked up once and kept in its session")
        let hidden = try #require(deliveries.first { $0["channel"] as? String == "hidden" })
        #expect((hidden["error"] as? String)?.contains("discord channel 'hidden': 403 50001 Missing Access") == true, "\(hidden)")
        let everything = run.output + run.error + installation.everythingWritten()
        #expect(!everything.contains(Self.token) && !everything.contains(server.webhookToken), "no token in logs, receipts or the journal")
    }

    @Test func checkRefusesAChannelThatNamesBothModesOrNeither() throws {
        let installation = try Installation(channels: [])
        installation.writeChatConfig("""
              both:
                platform: discord
                webhook_url: env:DISCORD_HOOK
                token: env:DISCORD_TOKEN
                channel: "555"
              neither:
                platform: discord

            """)
        let check = try installation.crier(["check"])
        #expect(check.status == 1)
        let text = check.output + check.error
        #expect(text.contains("crier.yml:6: channels.both: discord takes `webhook_url` or `token` and `channel`, not both"), "\(text)")
        #expect(text.contains("crier.yml:11: channels.neither: discord needs `webhook_url`, or `token` and `channel`"), "\(text)")
    }
}
