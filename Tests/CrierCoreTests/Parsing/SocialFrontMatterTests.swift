@testable import CrierCore
import Foundation
import Testing

/// `content_warning:`, `language:` and `card:`: the front matter Mastodon and Bluesky read.
@Suite struct SocialFrontMatterTests {
    let parser = PostParser(timeZone: TimeZone(identifier: "UTC")!)

    @Test func readsContentWarningLanguageAndCard() throws {
        let post = try parser.parse(Data("""
            ---
            channels: [fosstodon]
            link: https://crier.dev/v2
            content_warning: release talk
            language: pt-BR
            card: { title: crier v2, description: Faster builds, image: media/card.png }
            ---
            Text.
            """.utf8), fileName: "p.md")
        #expect(post.contentWarning == "release talk")
        #expect(post.language == "pt-BR")
        #expect(post.card == LinkCard(title: "crier v2", description: "Faster builds", image: "media/card.png"))
        let json = try parser.parse(Data(#"{"channels": ["a"], "text": "x", "language": "de", "card": {"title": "T"}}"#.utf8), fileName: "p.json")
        #expect(json.language == "de" && json.card == LinkCard(title: "T", description: ""))
    }

    @Test func badValuesAreReportedByLine() {
        let text = "---\nchannels: [a]\nlanguage: english language\ncard: { description: no title, colour: red }\n---\nText.\n"
        #expect {
            try parser.parse(Data(text.utf8), fileName: "p.md")
        } throws: { error in
            let message = "\(error)"
            return message.contains("p.md:3:") && message.contains("not a language code")
                && message.contains("card") && message.contains("needs `title:`") && message.contains("colour")
        }
        #expect(PostParser.isLanguageTag("en") && PostParser.isLanguageTag("zh-Hant-TW") && !PostParser.isLanguageTag("e") && !PostParser.isLanguageTag("en_US"))
    }

    @Test func aContentWarningIsAPreviewWarningWherePlatformsCannotShowIt() {
        var post = Post(id: "p", file: "p.md", channels: .named(["a"]), body: "Text")
        post.contentWarning = "spoilers"
        #expect(PostRenderer.render(post, channel: "m", platform: .mastodon, options: RenderOptions()).warnings.isEmpty)
        #expect(PostRenderer.render(post, channel: "b", platform: .bluesky, options: RenderOptions()).warnings
                    == ["content_warning: bluesky has no content warnings; the post goes out without it (only Mastodon shows it)"])
    }
}
