import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The Slack adapter in both modes against the strict fake, through libcurl.
@Suite(.serialized) struct SlackAdapterTests {
    static let token = "xoxb-1111-2222-fakeBotToken"
    let transport = AdapterRun.transport()

    static func server(revoked: Bool = false, webhookState: SlackFakeServer.WebhookState = .ok,
                       fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> SlackFakeServer.Fault? = { _, _ in nil }) throws -> SlackFakeServer {
        try SlackFakeServer(token: token, memberOf: ["C0NEWS"], otherChannels: ["C0OTHER"], archived: ["C0OLD"], revoked: revoked,
                            webhookState: webhookState, fault: fault)
    }

    func bot(_ server: SlackFakeServer, channel: String = "C0NEWS") -> ChatDeliveryFixture {
        ChatDeliveryFixture(platform: .slack, url: server.apiRoot, secrets: ["token": Self.token], settings: ["channel": channel])
    }

    func webhook(_ server: SlackFakeServer) -> ChatDeliveryFixture {
        ChatDeliveryFixture(platform: .slack, url: SlackRequestBuilder.defaultAPIRoot, secrets: ["webhook_url": server.webhookURL], settings: [:])
    }

    @Test func aBotPostsThenReadsThePermalinkAndLaterPartsGoIntoTheThreadOfPartOne() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let first = AdapterRun.deliver(SlackAdapter(), context: bot(server).context("Fish & chips <3 **now**"), transport: transport)
        guard case .sent(let root?) = first.end else { Issue.record("\(first.end)"); return }
        #expect(first.steps.map(\.name) == ["send", "permalink"])
        #expect(first.steps.map(\.repeatSafe) == [false, true], "postMessage has no idempotency key; the permalink is a read")
        #expect(root.url == "https://fake.slack.com/archives/C0NEWS/p\(root.id?.replacingOccurrences(of: ".", with: "") ?? "")")
        let second = AdapterRun.deliver(SlackAdapter(), context: bot(server).context(rawText: "two", part: 2, partCount: 3, earlier: [root]),
                                        transport: transport)
        guard case .sent(let reply?) = second.end else { Issue.record("\(second.end)"); return }
        let third = AdapterRun.deliver(SlackAdapter(), context: bot(server).context(rawText: "three", part: 3, partCount: 3, earlier: [root, reply]),
                                       transport: transport)
        guard case .sent = third.end else { Issue.record("\(third.end)"); return }
        #expect(server.violations.isEmpty, "\(server.violations)")
        let messages = server.messages
        #expect(messages.map(\.threadTS) == [nil, root.id, root.id], "every later part replies in part 1's thread")
        #expect(messages[0].text.contains("Fish &amp; chips &lt;3 *now*"), "mrkdwn escaping: \(messages[0].text)")
        #expect(SlackAdapter().remoteReference(forURL: root.url ?? "") == root, "a permalink given to crier resolve stands for its ts")
    }

    @Test func errorsComeAsOkFalseAndAreExplained() throws {
        let server = try Self.server()
        let revoked = try Self.server(revoked: true)
        defer { server.stop(); revoked.stop(); transport.shutdown(graceSeconds: 0) }
        func reason(_ context: DeliveryContext) -> String {
            let end = AdapterRun.deliver(SlackAdapter(), context: context, transport: transport).end
            guard case .failed(let reason) = end else { return "not failed: \(end)" }
            return reason
        }
        #expect(reason(bot(server, channel: "C0OTHER").context("Hi")) == "slack channel 'news': not_in_channel: invite the bot to the channel: type /invite @YourApp in C0OTHER")
        #expect(reason(bot(server, channel: "C0OLD").context("Hi")).contains("is_archived: C0OLD is archived"))
        #expect(reason(bot(server, channel: "C0NOPE").context("Hi")).contains("channel_not_found: check `channel:`"))
        #expect(reason(bot(revoked).context("Hi")).contains("token_revoked: the bot token is not valid"))
        var wrong = bot(server)
        wrong.secrets["token"] = "xoxb-wrong"
        #expect(reason(wrong.context("Hi")).contains("invalid_auth"))
        #expect(reason(bot(server).context(rawText: String(repeating: "y", count: 40_001))).contains("msg_too_long"))
        #expect(server.messages.isEmpty)
    }

    @Test func internalErrorsAreLeftToTheOperatorAndRateLimitsWaitRetryAfter() throws {
        let server = try Self.server { _, index in index == 0 ? .apiError("internal_error") : .rateLimited(retryAfter: 30) }
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let ambiguous = AdapterRun.deliver(SlackAdapter(), context: bot(server).context("Hi"), transport: transport).end
        guard case .failed(let reason) = ambiguous else { Issue.record("\(ambiguous)"); return }
        #expect(reason.contains("may or may not have been posted") && reason.contains("crier retry"), "never re-sent blindly")
        let limited = AdapterRun.deliver(SlackAdapter(), context: bot(server).context("Hi"), transport: transport).end
        guard case .retry(_, let after) = limited else { Issue.record("\(limited)"); return }
        #expect(after == 30)
    }

    @Test func aWebhookPostsTextOnlyAndRefusesThreadsBeforeSendingAnything() throws {
        let server = try Self.server()
        let archived = try Self.server(webhookState: .archived)
        defer { server.stop(); archived.stop(); transport.shutdown(graceSeconds: 0) }
        let run = AdapterRun.deliver(SlackAdapter(), context: webhook(server).context("Hello _there_"), transport: transport)
        #expect(run.end == .sent(nil), "an incoming webhook answers `ok` without a message id")
        #expect(run.steps.map(\.repeatSafe) == [false])
        #expect(server.messages.map(\.text) == ["Hello _there_"])
        let thread = AdapterRun.deliver(SlackAdapter(), context: webhook(server).context(rawText: "one", part: 1, partCount: 2),
                                        transport: transport).end
        guard case .refused(let reason) = thread else { Issue.record("\(thread)"); return }
        #expect(reason.contains("slack channel 'news' is an incoming webhook, which cannot reply in a thread") && reason.contains("long: truncate"))
        #expect(server.messages.count == 1, "nothing of a thread is sent to a webhook")
        let gone = AdapterRun.deliver(SlackAdapter(), context: webhook(archived).context("Hi"), transport: transport).end
        guard case .failed(let archivedReason) = gone else { Issue.record("\(gone)"); return }
        #expect(archivedReason.contains("HTTP 410 channel_is_archived: the webhook's channel is archived"))
        #expect(server.violations.isEmpty && archived.violations.isEmpty)
    }

    @Test func theOnlineCheckRunsAuthTestAndLeavesWebhooksAlone() throws {
        let server = try Self.server()
        let revoked = try Self.server(revoked: true)
        defer { server.stop(); revoked.stop(); transport.shutdown(graceSeconds: 0) }
        func verdict(_ fixture: ChatDeliveryFixture) -> AdapterProbeRun.Verdict {
            let context = fixture.context(rawText: "unused")
            return AdapterProbeRun.check(SlackAdapter(), context: ProbeContext(channel: context.channel, secrets: context.secrets),
                                         transport: transport).verdict
        }
        #expect(verdict(bot(server)) == .ok("ok as @crier in Fake (posting to C0NEWS; invite the bot there if it is private)"))
        guard case .problem(let token) = verdict(bot(revoked)) else { Issue.record("revoked"); return }
        #expect(token.hasPrefix("token_revoked: the bot token is not valid"))
        #expect(verdict(webhook(server)) == .ok("not checked online: an incoming webhook cannot be checked without posting"))
        #expect(server.requests.count == 1 && server.messages.isEmpty, "one auth.test, no post")
    }

    @Test func mediaAreUploadedThenSharedWithTheTextAsOneMessageWhoseTsIsLookedUp() throws {
        let server = try Self.server()
        defer { server.stop(); transport.shutdown(graceSeconds: 0) }
        let png = Data([0x89, 0x50, 0x4E, 0x47]) + Data(repeating: 9, count: 300)
        let a = MediaItem(file: "media/a.png", alt: "A chart", byteCount: png.count, mimeType: "image/png")
        let b = MediaItem(file: "media/b.png", alt: nil, byteCount: png.count, mimeType: "image/png")
        let source = InMemoryMediaSource(files: ["media/a.png": (png, "image/png"), "media/b.png": (png, "image/png")])
        let context = bot(server).context("Two charts", media: [a, b])
        let first = AdapterRun.deliver(SlackAdapter(), context: context, media: source, transport: transport)
        #expect(first.steps.map(\.name) == ["upload-url[1]", "upload[1]", "upload-url[2]", "upload[2]", "share", "share-lookup"])
        #expect(first.steps.map(\.repeatSafe) == [true, true, true, true, false, true], "only the share is visible")
        guard case .retry(_, let after) = first.end else { Issue.record("Slack shares asynchronously: \(first.end)"); return }
        #expect(after == 2)
        let second = AdapterRun.deliver(SlackAdapter(), context: context, progress: first.progress, media: source, transport: transport)
        #expect(second.steps.map(\.name) == ["share-lookup", "permalink"], "a restart never uploads or shares again")
        guard case .sent(let root?) = second.end else { Issue.record("\(second.end)"); return }
        #expect(server.violations.isEmpty, "\(server.violations)")
        let messages = server.messages
        #expect(messages.count == 1 && messages.first?.text == "Two charts")
        #expect(messages.first?.files.map(\.altText) == ["A chart", nil])
        #expect(messages.first?.files.allSatisfy { $0.uploadedBytes == png.count } == true)
        #expect(root.id == messages.first?.ts && root.url?.hasPrefix("https://fake.slack.com/archives/C0NEWS/p") == true)
    }

    @Test func secretShapesAreChecked() {
        #expect(SlackToken.problem(Self.token) == nil)
        #expect(SlackToken.problem("xoxp-123-456")?.contains("user token") == true)
        #expect(SlackToken.problem("hunter2")?.contains("not a Slack bot token") == true)
        #expect(SlackWebhookURL.problem("https://hooks.slack.com/services/T1/B2/abc") == nil)
        #expect(SlackWebhookURL.problem("https://hooks.slack.com/workflows/T1/abc") != nil)
    }
}
