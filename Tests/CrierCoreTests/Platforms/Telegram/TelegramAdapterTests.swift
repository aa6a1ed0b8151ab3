import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The Telegram adapter against the strict fake Bot API, through libcurl.
@Suite(.serialized) struct TelegramAdapterTests {
    static let token = "123456789:AAE_test-Token_0123456789abcdefghij"
    let transport = AdapterRun.transport()

    func fixture(_ server: TelegramFakeServer, chat: String = "-1001234567890", topic: String? = nil) -> ChatDeliveryFixture {
        var settings = ["chat": chat]
        if let topic { settings["topic"] = topic }
        return ChatDeliveryFixture(platform: .telegram, url: server.url, secrets: ["token": Self.token], settings: settings)
    }

    static func server(migrated: [Int64: Int64] = [:], kickedFrom: Set<Int64> = [], revoked: Bool = false,
                       fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> TelegramFakeServer.Fault? = { _, _ in nil }) throws -> TelegramFakeServer {
        try TelegramFakeServer(token: token, chats: [TelegramFakeServer.Chat(id: -1_001_234_567_890, username: "crier_news", topics: [7]),
                                                     TelegramFakeServer.Chat(id: -1_009_999_999_999)],
                               migrated: migrated, kickedFrom: kickedFrom, revoked: revoked, fault: fault)
    }

    @Test func aThreadGoesAsHTMLMessagesEachReplyingToThePreviousInTheTopic() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let fixture = fixture(server, topic: "7")
        let body = "Fish & chips <cheap> are **back**. " + String(repeating: "More words about the launch. ", count: 200)
        let parts = fixture.parts(body)
        #expect(parts.count == 2, "long enough for two parts: \(parts.map(\.length))")
        let first = AdapterRun.deliver(TelegramAdapter(), context: fixture.context(body), transport: transport)
        guard case .sent(let root?) = first.end else { Issue.record("part 1: \(first.end)"); return }
        #expect(root.url == "https://t.me/crier_news/\(root.id ?? "")")
        #expect(first.steps.map(\.name) == ["send"])
        #expect(first.steps.allSatisfy { !$0.repeatSafe }, "the Bot API has no idempotency: a lost answer must become unknown")
        let second = AdapterRun.deliver(TelegramAdapter(), context: fixture.context(body, part: 2, earlier: [root]), transport: transport)
        guard case .sent(let reply?) = second.end else { Issue.record("part 2: \(second.end)"); return }
        #expect(server.violations.isEmpty, "\(server.violations)")
        let messages = server.messages
        #expect(messages.count == 2)
        #expect(messages[0].text.hasPrefix("Fish &amp; chips &lt;cheap&gt; are <b>back</b>."), "\(messages[0].text.prefix(60))")
        #expect(messages[1].replyTo == Int64(root.id ?? ""))
        #expect(messages.allSatisfy { $0.topic == 7 })
        #expect(reply.id == String(messages[1].id))
    }

    @Test func aGroupThatBecameASupergroupIsFollowedWithAWarningToUpdateTheConfig() throws {
        let server = try Self.server(migrated: [-4_242: -1_009_999_999_999])
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let run = AdapterRun.deliver(TelegramAdapter(), context: fixture(server, chat: "-4242").context("Hello"), transport: transport)
        guard case .sent(let remote?) = run.end else { Issue.record("\(run.end)"); return }
        #expect(remote.url == "https://t.me/c/9999999999/\(remote.id ?? "")")
        #expect(run.progress.values["chat"] == "-1009999999999")
        #expect(run.progress.values[DeliveryProgress.warningKey]?.contains("update `chat: \"-1009999999999\"`") == true)
        #expect(server.messages.map(\.chatID) == [-1_009_999_999_999])
        #expect(server.requests == ["POST sendMessage", "POST sendMessage"])
    }

    @Test func permanentErrorsNameTheChannelAndSayWhatToDo() throws {
        let kicked = try Self.server(kickedFrom: [-1_001_234_567_890])
        let revoked = try Self.server(revoked: true)
        defer { kicked.stop(); revoked.stop(); transport.shutdown(graceSeconds: 0) }
        let removed = AdapterRun.deliver(TelegramAdapter(), context: fixture(kicked).context("Hi"), transport: transport).end
        guard case .failed(let reason) = removed else { Issue.record("\(removed)"); return }
        #expect(reason.contains("telegram channel 'news'") && reason.contains("403") && reason.contains("add the bot to the chat"), "\(reason)")
        let noToken = AdapterRun.deliver(TelegramAdapter(), context: fixture(revoked).context("Hi"), transport: transport).end
        guard case .failed(let revokedReason) = noToken else { Issue.record("\(noToken)"); return }
        #expect(revokedReason.contains("401") && revokedReason.contains("@BotFather"), "\(revokedReason)")
        let unknownChat = AdapterRun.deliver(TelegramAdapter(), context: fixture(kicked, chat: "@nosuchchannel").context("Hi"), transport: transport).end
        guard case .failed(let chatReason) = unknownChat else { Issue.record("\(unknownChat)"); return }
        #expect(chatReason.contains("chat not found") && chatReason.contains("check `chat:`"), "\(chatReason)")
        let badHTML = AdapterRun.deliver(TelegramAdapter(), context: fixture(kicked, chat: "-1009999999999").context(rawText: "1 < 2"),
                                         transport: transport).end
        guard case .failed(let htmlReason) = badHTML else { Issue.record("\(badHTML)"); return }
        #expect(htmlReason.contains("can't parse entities"), "\(htmlReason)")
        for reason in [reason, revokedReason, chatReason, htmlReason] {
            #expect(!reason.contains(Self.token) && !reason.contains("AAE_test"), "no token in an error")
        }
    }

    @Test func aRateLimitWaitsRetryAfterAndServerErrorsFollowTheGenericRules() throws {
        let server = try Self.server { _, index in index == 0 ? .rateLimited(retryAfter: 17) : .status(502) }
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let limited = AdapterRun.deliver(TelegramAdapter(), context: fixture(server).context("Hi"), transport: transport).end
        guard case .retry(let reason, let after) = limited else { Issue.record("\(limited)"); return }
        #expect(after == 17)
        #expect(reason.contains("rate limited"))
        #expect(AdapterRun.deliver(TelegramAdapter(), context: fixture(server).context("Hi"), transport: transport).end == .standard(502))
        #expect(server.messages.isEmpty)
    }

    @Test func onePhotoGoesWithSendPhotoAndTheTextAsCaptionSeveralAsAnAlbum() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let png = Data([0x89, 0x50, 0x4E, 0x47]) + Data(repeating: 7, count: 2_000)
        let source = InMemoryMediaSource(files: ["media/a.png": (png, "image/png"), "media/b.png": (png + png, "image/png")])
        let a = MediaItem(file: "media/a.png", alt: "A chart", byteCount: png.count, mimeType: "image/png")
        let b = MediaItem(file: "media/b.png", alt: nil, byteCount: png.count * 2, mimeType: "image/png")
        let single = AdapterRun.deliver(TelegramAdapter(), context: fixture(server).context("Look **here**", media: [a]), media: source,
                                        transport: transport)
        guard case .sent = single.end else { Issue.record("\(single.end)"); return }
        #expect(single.steps.map(\.name) == ["send-media"] && single.steps.allSatisfy { !$0.repeatSafe })
        let album = AdapterRun.deliver(TelegramAdapter(), context: fixture(server).context("Two pictures", media: [a, b]), media: source,
                                       transport: transport)
        guard case .sent(let remote?) = album.end else { Issue.record("\(album.end)"); return }
        #expect(server.violations.isEmpty, "\(server.violations)")
        let messages = server.messages
        #expect(messages.map(\.kind) == ["photo", "photo", "photo"])
        #expect(messages[0].text == "Look <b>here</b>" && messages[0].file == "a.png" && messages[0].fileBytes == png.count)
        #expect(messages[1].mediaGroup != nil && messages[1].mediaGroup == messages[2].mediaGroup)
        #expect(messages[1].text == "Two pictures" && messages[2].text.isEmpty, "the caption is on the first item of the album")
        #expect(remote.id == String(messages[1].id), "the album's first message stands for the part")
    }

    /// The fake answers a photo over 10 MB like the Bot API ("file is too big"); the loopback
    /// server refuses bodies over 8 MiB itself with 413, which Telegram also answers for uploads
    /// over its limit. Both are permanent, with what to do.
    @Test func aPhotoOverTenMegabytesIsRefusedForGood() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let big = Data(repeating: 1, count: 10_000_001)
        let item = MediaItem(file: "media/big.jpg", alt: "Big", byteCount: big.count, mimeType: "image/jpeg")
        let run = AdapterRun.deliver(TelegramAdapter(), context: fixture(server).context("Big one", media: [item]),
                                     media: InMemoryMediaSource(files: ["media/big.jpg": (big, "image/jpeg")]), transport: transport)
        guard case .failed(let reason) = run.end else { Issue.record("\(run.end)"); return }
        #expect(reason.contains("413") || reason.contains("file is too big"), "\(reason)")
        #expect(reason.contains("make it smaller"), "\(reason)")
    }

    @Test func aMalformedTokenOrTopicIsRefusedBeforeAnythingIsSent() {
        var fixture = ChatDeliveryFixture(platform: .telegram, url: "http://127.0.0.1:9", secrets: ["token": "not a token"], settings: ["chat": "@x"])
        guard case .fail(let reason) = TelegramAdapter().nextStep(for: fixture.context(rawText: "Hi"), progress: .start,
                                                                   media: InMemoryMediaSource(), now: Date()) else {
            Issue.record("a malformed token must be refused"); return
        }
        #expect(reason.contains("not a Telegram bot token") && !reason.contains("not a token'"))
        fixture.secrets = ["token": Self.token]
        fixture.settings["topic"] = "general"
        guard case .fail(let topic) = TelegramAdapter().nextStep(for: fixture.context(rawText: "Hi"), progress: .start,
                                                                  media: InMemoryMediaSource(), now: Date()) else {
            Issue.record("a topic that is not a number must be refused"); return
        }
        #expect(topic.contains("topic 'general' is not a message thread id"))
        #expect(TelegramToken.problem(Self.token) == nil)
        #expect(TelegramToken.problem("123:abc/def") != nil)
    }

    @Test func theOnlineCheckNamesTheBotAndChatOrWhatIsWrong() throws {
        let server = try Self.server(migrated: [-4_242: -1_009_999_999_999], kickedFrom: [-1_009_999_999_999])
        let revoked = try Self.server(revoked: true)
        defer { server.stop(); revoked.stop(); transport.shutdown(graceSeconds: 0) }
        func verdict(_ fixture: ChatDeliveryFixture) -> AdapterProbeRun.Verdict {
            let context = fixture.context(rawText: "unused")
            return AdapterProbeRun.check(TelegramAdapter(), context: ProbeContext(channel: context.channel, secrets: context.secrets),
                                         transport: transport).verdict
        }
        #expect(verdict(fixture(server)) == .ok("ok as @crier_test_bot in @crier_news"))
        guard case .problem(let migrated) = verdict(fixture(server, chat: "-4242")) else { Issue.record("a migrated chat is a problem"); return }
        #expect(migrated.contains("set `chat: \"-1009999999999\"`"))
        guard case .problem(let kicked) = verdict(fixture(server, chat: "-1009999999999")) else { Issue.record("kicked"); return }
        #expect(kicked.contains("add the bot to the chat"))
        guard case .problem(let token) = verdict(fixture(revoked)) else { Issue.record("revoked"); return }
        #expect(token.contains("@BotFather"))
        #expect(server.messages.isEmpty, "the check never posts")
    }

    @Test func messageLinksFollowTheChat() {
        #expect(TelegramMessage(id: 5, chatID: -1_001_234, chatUsername: "news").url == "https://t.me/news/5")
        #expect(TelegramMessage(id: 5, chatID: -1_001_234, chatUsername: nil).url == "https://t.me/c/1234/5")
        #expect(TelegramMessage(id: 5, chatID: 777, chatUsername: nil).url == nil, "private chats have no links")
    }
}
