import Testing
@testable import CrierCore

struct HashtagTests {
    @Test("tags become camel-cased hashtags", arguments: [
        ("swift", "swift"), ("open source", "openSource"), ("Open Source", "OpenSource"),
        ("swift-on-server", "swiftOnServer"), ("#release", "release"), ("c++", "c"), ("node.js", "nodeJs"),
        ("日本 語", "日本語"), ("café crème", "caféCrème"), ("iOS dev", "iOSDev"), ("v2_0", "v2_0"),
    ])
    func fromTag(_ tag: String, _ expected: String) {
        #expect(Hashtag.fromTag(tag) == expected)
    }

    @Test func digitsOnlyAndEmptyTagsAreDropped() {
        #expect(Hashtag.fromTag("2026") == nil)
        #expect(Hashtag.fromTag("  ") == nil)
        #expect(Hashtag.fromTag("!!") == nil)
    }

    @Test("hashtags in text, next to punctuation", arguments: [
        ("#swift", ["swift"]),
        ("(#swift), #linux.", ["swift", "linux"]),
        ("#swift!#vapor", ["swift", "vapor"]),
        ("C# and foo#bar", []),
        ("#2026 #v2", ["v2"]),
        ("#️⃣ keycap", []),
        ("＃全角 tag", ["全角"]),
        ("#café, #日本語。", ["café", "日本語"]),
        ("&#39; entity", []),
        ("https://x.com/#frag", []),
    ])
    func detects(_ text: String, _ expected: [String]) {
        #expect(Hashtag.tags(in: text) == expected)
    }

    @Test("mentions", arguments: [
        ("@alice hi", ["@alice"], [false]),
        ("@alice@mastodon.social.", ["@alice@mastodon.social"], [true]),
        ("cc @bob.bsky.social, ok", ["@bob.bsky.social"], [false]),
        ("me@example.com", [], []),
        ("https://x.com/@user", [], []),
        ("(@carol)", ["@carol"], [false]),
    ])
    func mentions(_ text: String, _ expected: [String], _ remote: [Bool]) {
        let matches = Mention.matches(in: text)
        let utf8 = Array(text.utf8)
        #expect(matches.map { String(decoding: utf8[$0.range], as: UTF8.self) } == expected)
        #expect(matches.map(\.isRemote) == remote)
    }
}
