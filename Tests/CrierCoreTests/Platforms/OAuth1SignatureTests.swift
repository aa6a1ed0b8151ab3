import CrierCore
import Testing

/// OAuth 1.0a signing against X's worked example, "Creating a signature"
/// (https://docs.x.com/fundamentals/authentication/oauth-1-0a/creating-a-signature, xdevplatform/docs
/// `fundamentals/authentication/oauth-1-0a/creating-a-signature.mdx`), byte for byte.
@Suite struct OAuth1SignatureTests {
    let signer = OAuth1Signature(consumerKey: "xvz1evFS4wEEPTGEFPHBog", consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                                 token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                                 tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE")
    let url = "https://api.x.com/1.1/statuses/update.json?include_entities=true"
    var parameters: [(String, String)] {
        signer.protocolParameters(nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", timestamp: 1_318_622_958)
            + [("status", "Hello Ladies + Gentlemen, a signed OAuth request!")]
    }

    @Test func theDocumentedSignatureBaseString() {
        #expect(OAuth1Signature.baseString(method: "POST", url: url, parameters: parameters) == "POST&https%3A%2F%2Fapi.x.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521")
    }

    @Test func theDocumentedSignature() {
        #expect(signer.signature(method: "POST", url: url, parameters: parameters) == "Ls93hJiZbQ3akF3HF3x1Bz8/zU4=")
    }

    @Test func theDocumentedFormBodyIsDecodedBeforeSigning() {
        let form = OAuth1Signature.formPairs("status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21")
        #expect(form.map(\.0) == ["status"])
        #expect(form.map(\.1) == ["Hello Ladies + Gentlemen, a signed OAuth request!"])
    }

    /// "Percent encoding parameters" examples: unreserved characters stay, everything else is %XX in
    /// upper case, UTF-8 byte by byte.
    @Test func percentEncodingFollowsRFC3986() {
        #expect(OAuth1Signature.percentEncode("Ladies + Gentlemen") == "Ladies%20%2B%20Gentlemen")
        #expect(OAuth1Signature.percentEncode("An encoded string!") == "An%20encoded%20string%21")
        #expect(OAuth1Signature.percentEncode("Dogs, Cats & Mice") == "Dogs%2C%20Cats%20%26%20Mice")
        #expect(OAuth1Signature.percentEncode("☃") == "%E2%98%83")
        #expect(OAuth1Signature.percentEncode("a-b.c_d~e") == "a-b.c_d~e")
    }

    @Test func theHeaderCarriesEveryOAuthParameterAndTheEncodedSignature() {
        let header = signer.authorization(method: "POST", url: url,
                                          formParameters: [("status", "Hello Ladies + Gentlemen, a signed OAuth request!")],
                                          nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", timestamp: 1_318_622_958)
        #expect(header == "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", oauth_signature=\"Ls93hJiZbQ3akF3HF3x1Bz8%2FzU4%3D\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", oauth_version=\"1.0\"")
    }

    @Test func anotherMethodOrURLChangesTheSignature() {
        let signature = signer.signature(method: "POST", url: url, parameters: parameters)
        #expect(signer.signature(method: "GET", url: url, parameters: parameters) != signature)
        #expect(signer.signature(method: "POST", url: "https://api.x.com/2/tweets", parameters: parameters) != signature)
    }
}
