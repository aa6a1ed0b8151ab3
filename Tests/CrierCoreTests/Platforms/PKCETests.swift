import CrierCore
import Testing

@Suite struct PKCETests {
    /// RFC 7636, Appendix B.
    @Test func theRFCsExampleChallenge() {
        let pkce = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test func randomVerifiersAreLongEnoughUnreservedAndDifferent() {
        let first = PKCE.random().verifier
        let second = PKCE.random().verifier
        #expect(first.count == 43)
        #expect(first != second)
        #expect(first.allSatisfy { $0.isLetter || $0.isNumber || "-._~".contains($0) })
    }
}
