import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The Discord adapter in both modes against the strict fake API, through libcurl.
@Suite(.serialized) struct DiscordAdapterTests {
    static let token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token_xyz"
    let transport = AdapterRun.transport()

    static func server(fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> DiscordFakeServer.Fault? = { _, _ in nil })
        throws -> DiscordFakeServer {
        try DiscordFakeServer(botToken: token, channels: ["555", "777"], hiddenChannels: ["666"], readOnlyChannels: ["888"], fault: fault)
    }

    func bot(_ server: DiscordFakeServer, channel: String = "555", settings: [String: String] = [:]) -> ChatDeliveryFixture {
        ChatDeliveryFixture(platform: .discord, url: server.apiRoot, secrets: ["token": Self.token],
                            settings: settings.merging(["channel": channel]) { $1 })
    }

    func webhook(_ server: DiscordFakeServer, settings: [String: String] = [:]) -> ChatDeliveryFixture {
        ChatDeliveryFixture(platform: .discord, url: DiscordRequestBuilder.defaultAPIRoot, secrets: ["webhook_url": server.webhookURL],
                            settings: settings)
    }

    @Test func aBotPostsWithANonceSoARepeatReturnsTheSameMessage() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let context = bot(server).context("Hello @everyone, v2 is out", deliveryID: "d_abcdefghijklmnopqrstuvwx")
        let first = AdapterRun.deliver(DiscordAdapter(), context: context, transport: transport)
        let again = AdapterRun.deliver(DiscordAdapter(), context: context, transport: transport)
        guard case .sent(let remote?) = first.end else { Issue.record("\(first.end)"); return }
        #expect(again.end == first.end, "a repeat within the nonce window answers the first message")
        #expect(first.steps.allSatisfy { $0.repeatSafe }, "nonce + enforce_nonce make the bot's send safe to repeat")
        #expect(server.violations.isEmpty, "\(server.violations)")
        let messages = server.messages
        #expect(messages.count == 1)
        #expect(messages.first?.nonce == "abcdefghijklmnopqrstuvwx")
        #expect(messages.first?.parse == [], "no mentions are parsed unless the channel allows them")
        #expect(remote.id == messages.first?.id)
        #expect(remote.url == "https://discord.com/channels/\(server.guildID)/555/\(remote.id ?? "")", "a jump link")
        #expect(first.session.values["guild_id"] == server.guildID, "the guild is kept in the channel's session")
        #expect(first.steps.first?.sessionStep == true && first.steps.first?.request.method == "GET")
        var known = context
        known.session = first.session
        let lookups = server.channelLookups
        let third = AdapterRun.deliver(DiscordAdapter(), context: known, transport: transport)
        #expect(third.steps.map(\.name) == ["send"], "with the guild in the session, no lookup")
        #expect(server.channelLookups == lookups)
    }

    @Test func laterPartsReplyToThePreviousOneAndMentionsCanBeAllowed() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let fixture = bot(server, settings: ["allow_mentions": "true"])
        let first = AdapterRun.deliver(DiscordAdapter(), context: fixture.context("Part one", deliveryID: "d_111111111111111111111111"),
                                       transport: transport)
        guard case .sent(let root?) = first.end else { Issue.record("\(first.end)"); return }
        let second = AdapterRun.deliver(DiscordAdapter(), context: fixture.context(rawText: "Part two", part: 2, partCount: 2, earlier: [root]),
                                        transport: transport)
        guard case .sent = second.end else { Issue.record("\(second.end)"); return }
        #expect(server.messages.map(\.replyTo) == [nil, root.id])
        #expect(server.messages.first?.parse == ["users", "roles", "everyone"])
        let deleted = AdapterRun.deliver(DiscordAdapter(), context: fixture.context(rawText: "Part three", part: 2, partCount: 2,
                                                                                      earlier: [RemoteReference(id: "1", url: nil)]),
                                         transport: transport)
        guard case .failed(let reason) = deleted.end else { Issue.record("\(deleted.end)"); return }
        #expect(reason.contains("50035") && reason.contains("message_reference: Unknown message"), "\(reason)")
    }

    @Test func aWebhookWaitsForTheMessageHasNoIdempotencyAndPostsIntoItsThread() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let context = webhook(server, settings: ["thread_id": "777"]).context("Hello from a webhook")
        let run = AdapterRun.deliver(DiscordAdapter(), context: context, transport: transport)
        guard case .sent(let remote?) = run.end else { Issue.record("\(run.end)"); return }
        #expect(run.steps.map(\.repeatSafe) == [true, false], "a read of the webhook, then a send: webhooks take no nonce, so a lost answer must become unknown")
        #expect(run.steps.last?.request.url.hasSuffix("?wait=true&thread_id=777") == true)
        #expect(server.violations.isEmpty, "\(server.violations)")
        #expect(server.messages.map(\.channelID) == ["777"])
        #expect(remote.id == server.messages.first?.id)
    }

    @Test func filesGoAsMultipartWithTheAltTextAsDescription() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let png = Data([0x89, 0x50, 0x4E, 0x47]) + Data(repeating: 3, count: 500)
        let item = MediaItem(file: "media/chart.png", alt: "A rising chart", byteCount: png.count, mimeType: "image/png")
        let run = AdapterRun.deliver(DiscordAdapter(), context: bot(server).context("With a chart", media: [item]),
                                     media: InMemoryMediaSource(files: ["media/chart.png": (png, "image/png")]), transport: transport)
        guard case .sent = run.end else { Issue.record("\(run.end)"); return }
        #expect(server.violations.isEmpty, "\(server.violations)")
        #expect(server.messages.first?.attachments == [DiscordFakeServer.Attachment(filename: "chart.png", description: "A rising chart",
                                                                                     bytes: png.count, sha256: ContentHash.of(png))])
        #expect(server.messages.first?.content == "With a chart")
    }

    @Test func errorsNameTheChannelDiscordsCodeAndWhatToDo() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        func reason(_ context: DeliveryContext) -> String {
            let end = AdapterRun.deliver(DiscordAdapter(), context: context, transport: transport).end
            guard case .failed(let reason) = end else { return "not failed: \(end)" }
            return reason
        }
        #expect(reason(bot(server, channel: "404404").context("Hi")).contains("10003 Unknown Channel: check `channel:`"))
        #expect(reason(bot(server, channel: "666").context("Hi")).contains("50001 Missing Access: the bot cannot see the channel: invite it"))
        #expect(reason(bot(server, channel: "888").context("Hi")).contains("50013 Missing Permissions: give the bot the Send Messages permission"))
        var wrongToken = bot(server)
        wrongToken.secrets["token"] = "wrong.token"
        #expect(reason(wrongToken.context("Hi")).contains("401"))
        #expect(reason(bot(server).context(rawText: String(repeating: "x", count: 2001)))
                    .contains("50035 Invalid Form Body: Discord refused the message's fields: content: Must be 2000 or fewer in length."))
        var deleted = webhook(server)
        deleted.secrets["webhook_url"] = server.webhookURL.replacingOccurrences(of: "fakeWebhookToken", with: "gone")
        let gone = reason(deleted.context("Hi"))
        #expect(gone.contains("10015 Unknown Webhook") && gone.contains("update `webhook_url:`"), "\(gone)")
        #expect(!gone.contains("gone_abc"), "the webhook token is never quoted")
        #expect(reason(bot(server).context(rawText: "Hi")).hasPrefix("not failed"), "the fake accepts a good request")
    }

    @Test func aRateLimitWaitsTheLongerOfTheBodyAndTheHeader() throws {
        let server = try Self.server { _, _ in .rateLimited(retryAfter: 2.5) }
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let end = AdapterRun.deliver(DiscordAdapter(), context: bot(server).context("Hi"), transport: transport).end
        guard case .retry(let reason, let after) = end else { Issue.record("\(end)"); return }
        #expect(after == 2.5)
        #expect(reason.contains("discord channel 'news' is rate limited"))
    }

    @Test func theOnlineCheckNamesTheBotAndChannelOrWhatIsWrong() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        func verdict(_ fixture: ChatDeliveryFixture) -> AdapterProbeRun.Verdict {
            let context = fixture.context(rawText: "unused")
            return AdapterProbeRun.check(DiscordAdapter(), context: ProbeContext(channel: context.channel, secrets: context.secrets),
                                         transport: transport).verdict
        }
        #expect(verdict(bot(server)) == .ok("ok as @crier in #announcements"))
        #expect(verdict(webhook(server)) == .ok("ok as webhook “Crier hook” in channel webhook-channel"))
        guard case .problem(let hidden) = verdict(bot(server, channel: "666")) else { Issue.record("a hidden channel is a problem"); return }
        #expect(hidden.contains("invite it to the server"))
        var wrong = bot(server)
        wrong.secrets["token"] = "nope"
        guard case .problem(let token) = verdict(wrong) else { Issue.record("a wrong token is a problem"); return }
        #expect(token.contains("401") && token.contains("`token:`"), "\(token)")
        #expect(server.messages.isEmpty, "the check never posts")
    }

    @Test func shapesOfSecretsAndModesAreChecked() {
        #expect(DiscordWebhookURL.problem("https://discord.com/api/webhooks/123/abc-DEF") == nil)
        #expect(DiscordWebhookURL.problem("https://discord.com/api/webhooks/123/abc?wait=true") != nil)
        #expect(DiscordWebhookURL.problem("https://discord.com/channels/1/2") != nil)
        #expect(DiscordRequestBuilder.nonce(forDelivery: "d_oalwxl4rsp2sb7pwn5hrln5p") == "oalwxl4rsp2sb7pwn5hrln5p")
        let both = ConfigParser.parse("""
            channels:
              both:
                platform: discord
                webhook_url: env:HOOK
                token: env:TOKEN
                channel: "555"
              neither:
                platform: discord
                allow_mentions: "false"
              bot:
                platform: discord
                token: env:TOKEN
                channel: "555"
            """)
        let text = both.problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("crier.yml:2") || both.problems.contains { $0.line == 2 && $0.message.contains("not both") }, "\(text)")
        #expect(both.problems.contains { $0.line == 7 && $0.message.contains("discord needs `webhook_url`, or `token` and `channel`") }, "\(text)")
        #expect(!both.problems.contains { $0.line == 11 }, "a bot channel needs no url: it defaults to Discord's API")
        #expect(DiscordAdapter().remoteReference(forURL: "https://discord.com/channels/1/2/345").id == "345")
    }
}
