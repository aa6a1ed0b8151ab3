@testable import CrierCore
import Foundation
import Testing

@Suite struct BlueskyBuildingBlocksTests {
    @Test func postLinksConvertBetweenATURIsAndBskyAppLinks() {
        let link = BlueskyPostLink(did: "did:plc:abc", rkey: "3jzfcijpj2z2a")
        #expect(link.atURI == "at://did:plc:abc/app.bsky.feed.post/3jzfcijpj2z2a")
        #expect(link.webURL == "https://bsky.app/profile/did:plc:abc/post/3jzfcijpj2z2a")
        #expect(BlueskyPostLink(parsing: link.atURI) == link)
        #expect(BlueskyPostLink(parsing: link.webURL) == link)
        #expect(BlueskyPostLink(parsing: "https://bsky.app/profile/alice.bsky.social/post/3jzfcijpj2z2a") == nil, "a handle needs a lookup")
        #expect(BlueskyPostLink(parsing: "at://did:plc:abc/app.bsky.feed.like/3jzfcijpj2z2a") == nil)
    }

    @Test func readsTheExpiryOfASessionToken() {
        func part(_ json: String) -> String {
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
        }
        let token = part(#"{"alg":"ES256K"}"#) + "." + part(#"{"scope":"com.atproto.appPass","exp":1796000000}"#) + ".sig"
        #expect(BlueskyJWT.expiry(of: token) == Date(timeIntervalSince1970: 1_796_000_000))
        #expect(BlueskyJWT.expiry(of: "not-a-jwt") == nil)
        #expect(BlueskyJWT.expiry(of: "a.!!!.c") == nil)
    }

    @Test func readsXRPCErrors() {
        let expired = BlueskyErrorReader(TransportResponse(status: 400, body: Data(#"{"error":"ExpiredToken","message":"Token has expired"}"#.utf8)))
        #expect(expired.isExpiredSession && expired.summary == "HTTP 400 ExpiredToken: Token has expired")
        let missing = BlueskyErrorReader(TransportResponse(status: 400, body: Data(#"{"error":"RecordNotFound","message":"Could not locate record"}"#.utf8)))
        #expect(missing.isNotFound && !missing.isExpiredSession)
        #expect(BlueskyErrorReader(TransportResponse(status: 502, body: Data("<html>".utf8))).summary == "HTTP 502")
    }

    @Test func theRecordCarriesFacetsRepliesAndImagesAsTheLexiconsSay() throws {
        let text = "héllo @alice.test #tag https://x.dev"
        let facets = PostRenderer.render(Post(id: "p", file: "p.md", channels: .named(["b"]), body: text), channel: "b", platform: .bluesky,
                                         options: RenderOptions()).parts.first?.facets ?? []
        #expect(facets.count == 3, "\(facets)")
        let record = BlueskyPostRecord(
            text: text, createdAt: Date(timeIntervalSince1970: 0), langs: ["en"], facets: facets, mentionDIDs: ["alice.test": "did:plc:alice"],
            root: .init(uri: "at://r", cid: "c1"), parent: .init(uri: "at://p", cid: "c2"),
            images: [.init(blobJSON: #"{"$type":"blob","ref":{"$link":"bafy"},"mimeType":"image/png","size":10}"#, alt: "Alt", width: 4, height: 3)])
        let object = record.object
        #expect(object["createdAt"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(object["langs"] as? [String] == ["en"])
        let written = try #require(object["facets"] as? [[String: Any]])
        let mention = try #require(written.first { (($0["features"] as? [[String: Any]])?.first?["$type"] as? String)?.hasSuffix("#mention") == true })
        #expect((mention["index"] as? [String: Int]) == ["byteStart": 7, "byteEnd": 18], "byte offsets: é is two bytes")
        #expect(((object["reply"] as? [String: Any])?["parent"] as? [String: String]) == ["uri": "at://p", "cid": "c2"])
        let embed = try #require(object["embed"] as? [String: Any])
        #expect(embed["$type"] as? String == "app.bsky.embed.images")
        let image = try #require((embed["images"] as? [[String: Any]])?.first)
        #expect(image["alt"] as? String == "Alt" && (image["aspectRatio"] as? [String: Int]) == ["width": 4, "height": 3])
        var unresolved = record
        unresolved.mentionDIDs = [:]
        #expect((unresolved.object["facets"] as? [[String: Any]])?.count == 2, "an unresolved mention stays plain text")
    }
}
