import Testing
@testable import CrierCore

struct BlueskyFacetBuilderTests {
    @Test func byteOffsetsCountEmojiBeforeThem() {
        let text = "👋 hi #swift and https://example.com/x"
        #expect(BlueskyFacetBuilder.facets(for: text) == [
            BlueskyFacet(byteStart: 8, byteEnd: 14, feature: .tag("swift")),
            BlueskyFacet(byteStart: 19, byteEnd: 40, feature: .link(uri: "https://example.com/x")),
        ])
    }

    @Test func zwjFamilyFlagAndMention() {
        // 👨‍👩‍👧‍👦 is 25 bytes, 🇩🇪 8.
        let text = "👨‍👩‍👧‍👦🇩🇪 @alice.bsky.social: example.com"
        #expect(BlueskyFacetBuilder.facets(for: text) == [
            BlueskyFacet(byteStart: 34, byteEnd: 52, feature: .mention(handle: "alice.bsky.social")),
            BlueskyFacet(byteStart: 54, byteEnd: 65, feature: .link(uri: "https://example.com")),
        ])
    }

    @Test func offsetsSliceTheText() {
        let text = "Ünïcödé ✨ #café (https://bücher.de/x) @bob.example.org! #1 x@y.com"
        let bytes = Array(text.utf8)
        let slices = BlueskyFacetBuilder.facets(for: text).map {
            String(decoding: bytes[$0.byteStart..<$0.byteEnd], as: UTF8.self)
        }
        #expect(slices == ["#café", "https://bücher.de/x", "@bob.example.org"])
    }

    @Test func remoteMastodonMentionsAndPlainHandlesGetNoFacet() {
        #expect(BlueskyFacetBuilder.facets(for: "@alice@mastodon.social and @bob").isEmpty)
    }
}
