import CrierCore
import Testing

@Suite struct SecretRedactionTests {
    @Test func secretValuesArRedactedAsWrittenAndPercentEncoded() {
        let secrets = ["token": Secret("123456:AAE-secret"), "short": Secret("ab")]
        let text = "Failed to connect to http://127.0.0.1:1/bot123456:AAE-secret/sendMessage (also 123456%3AAAE-secret); ab stays"
        let redacted = SecretRedaction.redact(text, secrets: secrets)
        #expect(redacted == "Failed to connect to http://127.0.0.1:1/bot<redacted>/sendMessage (also <redacted>); ab stays")
        #expect(SecretRedaction.redact("nothing here", secrets: secrets) == "nothing here")
    }
}
