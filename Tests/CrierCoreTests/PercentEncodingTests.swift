import CrierCore
import Testing

@Suite struct PercentEncodingTests {
    @Test func everythingButTheUnreservedCharactersIsEncodedWithUpperCaseHex() {
        #expect(PercentEncoding.encode("Ladies + Gentlemen") == "Ladies%20%2B%20Gentlemen")
        #expect(PercentEncoding.encode("An encoded string!") == "An%20encoded%20string%21")
        #expect(PercentEncoding.encode("Dogs, Cats & Mice") == "Dogs%2C%20Cats%20%26%20Mice")
        #expect(PercentEncoding.encode("☃") == "%E2%98%83")
        #expect(PercentEncoding.encode("a-b.c_d~e") == "a-b.c_d~e")
        #expect(PercentEncoding.encode("!room:server") == "%21room%3Aserver")
        #expect(PercentEncoding.encode("did:plc:x", keeping: ":") == "did:plc:x")
        #expect(PercentEncoding.encode("media/Launch day.png", keeping: "/") == "media/Launch%20day.png")
    }
}
