@testable import CrierCore
import Testing

/// Mastodon's mention rule for counting (`Account::MENTION_RE` with the extractor's
/// `end_mention_match` check), case by case.
@Suite struct MastodonMentionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var expected: Int
        var why: String
        init(_ text: String, _ expected: Int, _ why: String) {
            self.text = text
            self.expected = expected
            self.why = why
        }
        var testDescription: String { why }
    }

    static let cases: [Case] = [
        Case("@alice@mastodon.social hi", 9, "a remote mention counts as @alice"),
        Case("@user@localhost", 5, "a domain needs no dot"),
        Case("@user@bücher.de", 5, "non-ASCII word characters in the domain"),
        Case("@user@例え.jp", 5, "CJK domain"),
        Case("@user@-bad.org", 14, "a domain must start with a word character: only @user is a mention, the rest counts"),
        Case("@user@host@", 11, "followed by @: not a mention, counted in full"),
        Case("@user@hostá", 5, "a Latin accent is a word character: the domain takes it"),
        Case("@user@host://x", 14, "followed by ://: not a mention"),
        Case("mail@user@host.org", 18, "after a word character: not a mention"),
        Case("https://x.org/@user@host.org", 23, "after / (inside a URL): only the URL counts, 23"),
        Case("a=@user@host.org", 16, "after =: not a mention"),
        Case("@us.er@host.org.", 7, "dots inside names (@us.er); a trailing dot is not part of the domain and counts"),
        Case("@a@b @c@d", 5, "two adjacent mentions"),
    ]

    @Test(arguments: cases)
    func mastodonCounts(_ c: Case) {
        #expect(TextLength.count(c.text, platform: .mastodon) == c.expected, "\(c.text)")
    }

    @Test func theContentWarningCountsTowardTheLimit() {
        var post = Post(id: "p", file: "p.md", channels: .named(["m"]), body: String(repeating: "a", count: 480))
        #expect(PostRenderer.render(post, channel: "m", platform: .mastodon, options: RenderOptions(long: .reject)).errors.isEmpty)
        post.contentWarning = String(repeating: "w", count: 30)
        let variant = PostRenderer.render(post, channel: "m", platform: .mastodon, options: RenderOptions(long: .reject))
        #expect(!variant.errors.isEmpty, "480 + 30 > 500")
        #expect(variant.parts.first?.limit == 470)
    }
}
