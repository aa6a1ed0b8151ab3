import CrierCore
import Foundation
import Testing

@Suite struct WebhookInboxTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let now = Date(timeIntervalSince1970: 1_614_265_330)
    static let body = Data(#"{"test": 2432232314}"#.utf8)
    static let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    static func request(_ headers: [(String, String)], body: Data = body) -> ReceivedHTTPRequest {
        ReceivedHTTPRequest(method: "POST", path: "/hook", headers: headers.map { HTTPHeader($0.0, $0.1) }, body: body,
                            remoteAddress: "127.0.0.1:5000", receivedAt: now)
    }

    static func check(_ headers: [(String, String)], secret: String? = secret, at now: Date = now) -> WebhookSignatureCheck {
        WebhookSignatureCheck(headers: request(headers).headers, body: body, key: secret.flatMap(WebhookSignature.key(fromSecret:)), now: now)
    }

    static let signed = [("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"), ("webhook-timestamp", "1614265330"), ("webhook-signature", good)]

    @Test func saysWhichCheckFailed() {
        #expect(Self.check(Self.signed) == .verified)
        #expect(Self.check([("webhook-id", "msg_1"), ("webhook-signature", "")]) == .missingHeaders(["webhook-timestamp", "webhook-signature"]))
        #expect(Self.check([("webhook-id", "msg_1"), ("webhook-timestamp", "soon"), ("webhook-signature", Self.good)])
            == .badTimestamp("webhook-timestamp 'soon' is not Unix seconds"))
        #expect(Self.check(Self.signed, at: Self.now.addingTimeInterval(301))
            == .badTimestamp("webhook-timestamp 1614265330 is 301 s old; at most 300 s are allowed"))
        #expect(Self.check(Self.signed, at: Self.now.addingTimeInterval(-400))
            == .badTimestamp("webhook-timestamp 1614265330 is 400 s in the future; at most 300 s are allowed"))
        #expect(Self.check([("webhook-id", "msg_other"), ("webhook-timestamp", "1614265330"), ("webhook-signature", Self.good)]) == .badSignature)
        #expect(Self.check(Self.signed, secret: "whsec_c2VjcmV0") == .badSignature)
    }

    @Test func withoutASecretNothingIsCheckedOrFailed() {
        #expect(Self.check(Self.signed, secret: nil) == .notChecked(signed: true))
        #expect(Self.check([], secret: nil) == .notChecked(signed: false))
        #expect(!WebhookSignatureCheck.notChecked(signed: true).failed)
        #expect(WebhookSignatureCheck.notChecked(signed: true).problem == nil)
        #expect(WebhookSignatureCheck.badSignature.problem?.hasPrefix("bad signature") == true)
    }

    @Test func answersFailuresWith401AndFlagsRepeats() {
        let inbox = WebhookInbox(secret: Self.secret)
        let (first, reply) = inbox.receive(Self.request(Self.signed), now: Self.now)
        #expect(first.signature == .verified && !first.isRepeat)
        #expect(reply.status == 200 && reply.contentType == "application/json")
        #expect(reply.body == Data(#"{"id":"msg_p5jXN8AQM9LWM0D4loKWxJek"}"#.utf8))
        let (again, _) = inbox.receive(Self.request(Self.signed), now: Self.now)
        #expect(again.isRepeat)
        let (unsigned, refusal) = inbox.receive(Self.request([("webhook-id", "msg_2")]), now: Self.now)
        #expect(unsigned.signatureProblem == "missing headers: webhook-timestamp, webhook-signature")
        #expect(refusal.status == 401)
        #expect(String(decoding: refusal.body, as: UTF8.self) == unsigned.signatureProblem)
        #expect(inbox.count == 3)
    }

    @Test func withoutASecretEverythingIsAccepted() {
        let inbox = WebhookInbox(secret: nil, status: { _, index in index == 0 ? 503 : 200 })
        #expect(!inbox.checksSignatures)
        #expect(inbox.receive(Self.request(Self.signed)).1.status == 503)
        let (arrival, reply) = inbox.receive(Self.request([]))
        #expect(reply.status == 200)
        #expect(arrival.signature == .notChecked(signed: false))
    }
}
