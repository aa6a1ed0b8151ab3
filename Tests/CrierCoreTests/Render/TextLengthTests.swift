import Testing
@testable import CrierCore

struct TextLengthTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var expected: Int
        var note: String
        var testDescription: String { note }
        init(_ text: String, _ expected: Int, _ note: String) {
            self.text = text
            self.expected = expected
            self.note = note
        }
    }

    static let longURL = "https://example.com/" + String(repeating: "a", count: 300)

    static let xCases: [Case] = [
        Case("hello", 5, "ASCII"),
        Case("こんにちは", 10, "CJK weighs 2"),
        Case("한국어", 6, "Hangul syllables weigh 2"),
        Case("שלום עולם", 9, "Hebrew (RTL) is in 0–4351"),
        Case("مرحبا", 5, "Arabic (RTL) is in 0–4351"),
        Case("\u{2018}q\u{2019}", 3, "curly quotes are in 8208–8223"),
        Case("…", 2, "ellipsis U+2026 is outside the light ranges"),
        Case("👨‍👩‍👧‍👦", 2, "ZWJ family is one emoji"),
        Case("🏳️‍🌈", 2, "rainbow flag ZWJ sequence"),
        Case("🇩🇪🇫🇷", 4, "two flags"),
        Case("👍🏽", 2, "skin tone modifier"),
        Case("1️⃣", 2, "keycap"),
        Case("#️⃣ go", 5, "keycap #"),
        Case("🏴󠁧󠁢󠁳󠁣󠁴󠁿", 2, "subdivision flag with tag characters"),
        Case("❤️", 2, "text-default emoji with VS16"),
        Case("e\u{301}", 1, "combining acute composes under NFC"),
        Case("q\u{301}", 2, "combining mark with no precomposed form counts itself"),
        Case("A\u{30A}ngstr\u{F6}m", 8, "NFC composes Å"),
        Case(longURL, 23, "a very long URL is 23"),
        Case("see example.com/x now", 31, "URL without scheme"),
        Case("read https://en.wikipedia.org/wiki/Foo_(bar).", 29, "parentheses kept, trailing dot not"),
        Case("(see https://example.com/a)", 29, "closing parenthesis outside the URL"),
        Case("https://bücher.de/x", 23, "IDN host with scheme"),
        Case("xn--bcher-kva.de", 23, "punycode without scheme"),
        Case("mail me@example.com", 19, "e-mail address is not a URL"),
        Case("a.b c", 5, "not a known TLD"),
        Case("https://a.com https://b.com", 47, "two URLs"),
        Case("@someone hi", 11, "mentions count as written on X"),
    ]

    @Test("X weighted length (twitter-text v3)", arguments: xCases)
    func xWeighted(_ c: Case) {
        #expect(TextLength.count(c.text, platform: .x) == c.expected)
    }

    static let mastodonCases: [Case] = [
        Case("hello", 5, "ASCII"),
        Case("こんにちは", 5, "CJK are graphemes"),
        Case("👨‍👩‍👧‍👦", 1, "ZWJ family is one grapheme"),
        Case("🇩🇪", 1, "flag"),
        Case("e\u{301}", 1, "combining mark"),
        Case("go " + longURL, 26, "URL with scheme is 23"),
        Case("go example.com/x", 16, "schemeless URL counts as written on Mastodon"),
        Case("@alice@mastodon.social hi", 9, "remote mention counts as @alice"),
        Case("@bob hi", 7, "local mention"),
        Case("hi @alice@mastodon.social and @carol@example.org!", 21, "two remote mentions"),
    ]

    @Test("Mastodon length (graphemes, URLs 23, remote mentions local)", arguments: mastodonCases)
    func mastodon(_ c: Case) {
        #expect(TextLength.count(c.text, platform: .mastodon) == c.expected)
    }

    static let blueskyCases: [Case] = [
        Case("hello", 5, "ASCII"),
        Case("👨‍👩‍👧‍👦 hi", 4, "graphemes"),
        Case("go " + longURL, 323, "URLs count in full"),
        Case("שלום", 4, "RTL"),
    ]

    @Test("Bluesky length (graphemes)", arguments: blueskyCases)
    func bluesky(_ c: Case) {
        #expect(TextLength.count(c.text, platform: .bluesky) == c.expected)
    }

    @Test func blueskyByteLimitCatchesWhatGraphemesMiss() {
        let text = String(repeating: "👨‍👩‍👧‍👦", count: 300)
        #expect(TextLength.count(text, platform: .bluesky) == 300)
        #expect(!TextLength.fits(text, limit: 300, rules: PlatformDescriptor.of(.bluesky).rules))
        #expect(TextLength.fits("hello", limit: 300, rules: PlatformDescriptor.of(.bluesky).rules))
    }

    @Test func telegramCountsVisibleUTF16OfHTML() {
        #expect(TextLength.count("<b>a &amp; b</b>", platform: .telegram) == 5)
        #expect(TextLength.count("<a href=\"https://x.com\">x</a>", platform: .telegram) == 1)
        #expect(TextLength.count("😀", platform: .telegram) == 2)
        #expect(TextLength.count("é", platform: .telegram) == 1)
    }

    @Test func otherUnits() {
        #expect(TextLength.count("😀a", platform: .discord) == 2)
        #expect(TextLength.count("😀a", platform: .linkedin) == 3)
        #expect(TextLength.count("👨‍👩‍👧‍👦", platform: .slack) == 7)
        #expect(TextLength.count("👨‍👩‍👧‍👦", platform: .matrix) == 1)
    }

    @Test func everyPlatformHasOneRow() {
        #expect(PlatformDescriptor.all.count == Platform.allCases.count)
        for platform in Platform.allCases {
            #expect(PlatformDescriptor.of(platform).rules.platform == platform)
        }
        #expect(Set(PlatformDescriptor.all.map(\.rules.platform)).count == Platform.allCases.count)
    }
}
