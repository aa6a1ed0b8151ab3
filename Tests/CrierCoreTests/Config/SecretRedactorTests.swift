@testable import CrierCore
import Foundation
import Testing

@Suite struct SecretRedactorTests {
    @Test func takesRawAndPercentEncodedValuesOutLongestFirst() {
        let redactor = SecretRedactor([Secret("123456:ABC-def/ghi"), Secret("123456"), Secret("abc")])
        let url = "https://api.example.test/bot123456:ABC-def/ghi/sendMessage?x=123456%3AABC-def%2Fghi"
        #expect(redactor.redact(url) == "https://api.example.test/bot<redacted>/sendMessage?x=<redacted>")
        // Too short to redact safely: "abc" stays.
        #expect(redactor.redact("abc 123456") == "abc <redacted>")
        #expect(SecretRedactor([Secret.placeholder]).isEmpty)
    }

    @Test func previewRequestsHideAuthorizationWhateverItHolds() {
        let step = StepRequest(name: "create", request: OutgoingRequest(
            method: "POST", url: "https://x.test/bot:tok-1234/send",
            headers: [HTTPHeader("Authorization", "Bearer eyJhbGciOi"), HTTPHeader("Content-Type", "application/json")],
            body: Data("{\"token\":\"tok-1234\"}".utf8)), repeatSafe: false)
        let shown = PreviewRequest(step, redactor: SecretRedactor([Secret("tok-1234")]))
        #expect(shown.url == "https://x.test/bot:<redacted>/send")
        #expect(shown.headers.first == HTTPHeader("Authorization", "Bearer <redacted>"))
        #expect(shown.body == "{\"token\":\"<redacted>\"}")
        let binary = PreviewRequest.describe(Data([0x89, 0x50, 0x00, 0xFF]), contentType: "image/png", redactor: SecretRedactor([]))
        #expect(binary == "<4 bytes, image/png>")
        // Valid UTF-8 with a NUL in it is shown as bytes too; without one, as text.
        #expect(PreviewRequest.describe(Data("a\u{0}b".utf8), contentType: nil, redactor: SecretRedactor([])) == "<3 bytes>")
        #expect(PreviewRequest.describe(Data("ab".utf8), contentType: nil, redactor: SecretRedactor([])) == "ab")
    }
}
