import CrierCore
import CrierTestSupport
import Foundation
import Testing

@Suite struct WebhookTests {
    @Test func signatureMatchesTheStandardWebhooksKnownAnswer() throws {
        let key = try #require(WebhookSignature.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                              body: Data(#"{"test": 2432232314}"#.utf8), key: key)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func verificationChecksSignatureAndTimestamp() throws {
        let key = try #require(WebhookSignature.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_614_265_330)
        let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        #expect(WebhookSignature.verificationProblem(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
                                                     signatures: "v1,bogus \(good)", body: body, key: key, now: now) == nil)
        #expect(WebhookSignature.verificationProblem(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
                                                     signatures: good, body: body + Data(" ".utf8), key: key, now: now) == "signature does not match")
        #expect(WebhookSignature.verificationProblem(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330",
                                                     signatures: good, body: body, key: key, now: now.addingTimeInterval(600))?.contains("from now") == true)
    }

    @Test func rejectsSecretsWithoutThePrefix() {
        #expect(WebhookSignature.key(fromSecret: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == nil)
        #expect(WebhookSignature.key(fromSecret: "whsec_not base64!") == nil)
    }

    func context(secret: String? = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") -> DeliveryContext {
        let post = Post(id: "launch", file: "launch.md", channels: .named(["ops"]), tags: ["release"], link: "https://example.com/v2",
                        media: [PostMedia(file: "media/a.png", alt: "A chart")], body: "Hello *world*")
        let channel = ChannelConfig(name: "ops", platform: .webhook, url: "http://127.0.0.1:9/hook")
        return DeliveryContext(deliveryID: "d_abc", post: post, channel: channel, secrets: secret.map { ["secret": Secret($0)] } ?? [:],
                               part: 1, partCount: 1, rendered: RenderedPart(text: post.body, length: 13, limit: nil),
                               scheduledAt: Date(timeIntervalSince1970: 1_795_334_400))
    }

    let media = InMemoryMediaSource()

    func request(_ context: DeliveryContext, now: Date) throws -> OutgoingRequest {
        guard case .request(let step) = WebhookAdapter().nextStep(for: context, progress: .start, media: media, now: now) else {
            throw AdapterStepError()
        }
        #expect(step.name == "send")
        #expect(step.repeatSafe, "the webhook-id makes a repeat harmless")
        return step.request
    }

    struct AdapterStepError: Error {}

    @Test func requestCarriesTheExactEventAndHeaders() throws {
        let request = try request(context(), now: Date(timeIntervalSince1970: 1_795_334_401))
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:9/hook")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"data":{"channel":"ops","delivery":"d_abc","file":"launch.md","link":"https://example.com/v2","media":[{"alt":"A chart","file":"media/a.png"}],"part":1,"parts":1,"post":"launch","reply_to":null,"scheduled_at":"2026-11-22T08:00:00.000Z","tags":["release"],"text":"Hello *world*"},"timestamp":"2026-11-22T08:00:00.000Z","type":"post.publish"}"#)
        #expect(request.headers.value(for: "webhook-id") == "d_abc")
        #expect(request.headers.value(for: "webhook-timestamp") == "1795334401")
        let key = WebhookSignature.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")!
        #expect(request.headers.value(for: "webhook-signature") == WebhookSignature.sign(id: "d_abc", timestamp: 1_795_334_401, body: request.body, key: key))
    }

    @Test func retriesSendTheSameBodyAndID() throws {
        let first = try request(context(), now: Date(timeIntervalSince1970: 1_795_334_401))
        let second = try request(context(), now: Date(timeIntervalSince1970: 1_795_334_999))
        #expect(first.body == second.body)
        #expect(first.headers.value(for: "webhook-id") == second.headers.value(for: "webhook-id"))
    }

    @Test func unsignedWithoutSecretAndRefusesMalformedSecret() throws {
        let unsigned = try request(context(secret: nil), now: Date())
        #expect(unsigned.headers.value(for: "webhook-signature") == nil)
        guard case .fail(let reason) = WebhookAdapter().nextStep(for: context(secret: "plain"), progress: .start, media: media, now: Date()) else {
            Issue.record("a malformed secret must fail the delivery")
            return
        }
        #expect(reason.contains("whsec_"))
    }

    @Test func readsRemoteReferenceFromResponse() {
        let response = TransportResponse(status: 200, body: Data(#"{"id":"42","url":"https://x/42"}"#.utf8))
        let step = StepRequest(name: "send", request: OutgoingRequest(url: "http://127.0.0.1:9/hook"), repeatSafe: true)
        let adapter = WebhookAdapter()
        #expect(adapter.read(response, to: step, for: context(), progress: .start) == .sent(RemoteReference(id: "42", url: "https://x/42")))
        #expect(adapter.read(TransportResponse(status: 204), to: step, for: context(), progress: .start) == .sent(nil))
        #expect(adapter.read(TransportResponse(status: 503), to: step, for: context(), progress: .start) == .standard)
    }
}

@Suite struct WebhookEncodingTests {
    @Test(arguments: [
        "plain text", "quotes \" and \\ backslashes", "new\nline\ttab\r\u{8}\u{C}", "control \u{1}\u{1F}",
        "unicode: café, 日本語, 👩‍👩‍👧 and RTL שלום", "slashes / and <html> & stuff", "",
    ])
    func handWrittenJSONMatchesJSONEncoder(_ text: String) {
        let post = Post(id: "p", file: "p.md", channels: .all, tags: ["a\"b", "ü"], link: text.isEmpty ? nil : "https://x/\(text.count)",
                        media: [PostMedia(file: "m/\(text.count).png", alt: text.isEmpty ? nil : text), PostMedia(file: "n.png")], body: text)
        let channel = ChannelConfig(name: "ops", platform: .webhook, url: "http://127.0.0.1:9/")
        let context = DeliveryContext(deliveryID: "d_1", post: post, channel: channel, secrets: [:], part: 2, partCount: 3,
                                      rendered: RenderedPart(text: text, length: text.count, limit: nil),
                                      scheduledAt: Date(timeIntervalSince1970: 1_795_334_400.5),
                                      earlierParts: text.isEmpty ? [nil] : [RemoteReference(id: "r\(text.count)", url: nil)])
        let event = WebhookEvent(context: context)
        #expect(String(decoding: event.encoded(), as: UTF8.self) == String(decoding: event.encodedWithFoundation(), as: UTF8.self))
    }
}
