import Testing
@testable import CrierCore

struct PostRendererTests {
    func post(_ body: String, tags: [String] = [], link: String? = nil, media: [PostMedia] = [],
              long: LongPolicy? = nil, variants: [String: String] = [:]) -> Post {
        Post(id: "launch", file: "launch.md", channels: .all, tags: tags, link: link, media: media, long: long,
             variants: variants, body: body)
    }

    func render(_ post: Post, _ platform: Platform, channel: String? = nil,
                options: RenderOptions = RenderOptions()) -> RenderedVariant {
        PostRenderer.render(post, channel: channel ?? platform.rawValue, platform: platform, options: options)
    }

    @Test func specExample() {
        let p = post("We just shipped v2. *Faster* builds, [release notes](https://example.com/notes).",
                     tags: ["release", "swift"], link: "https://example.com/v2")
        let x = render(p, .x)
        #expect(x.errors.isEmpty && x.warnings.isEmpty)
        #expect(x.parts.map(\.text) == ["""
        We just shipped v2. Faster builds, release notes https://example.com/notes.

        #release #swift
        https://example.com/v2
        """])
        #expect(x.parts[0].length == 114)
        #expect(x.parts[0].limit == 280)

        let linkedin = render(p, .linkedin)
        #expect(linkedin.parts[0].text == """
        We just shipped v2. Faster builds, release notes https://example.com/notes.

        {hashtag|\\#|release} {hashtag|\\#|swift}
        https://example.com/v2
        """)

        let slack = render(p, .slack)
        #expect(slack.parts[0].text == """
        We just shipped v2. _Faster_ builds, <https://example.com/notes|release notes>.

        <https://example.com/v2>
        """)

        let matrix = render(p, .matrix)
        #expect(matrix.parts[0].formattedHTML == "<p>We just shipped v2. <em>Faster</em> builds, "
                + "<a href=\"https://example.com/notes\">release notes</a>.</p>"
                + "<p><a href=\"https://example.com/v2\">https://example.com/v2</a></p>")
        #expect(matrix.parts[0].limit == nil)

        let bluesky = render(p, .bluesky)
        #expect(bluesky.parts[0].facets.map(\.feature) == [
            .link(uri: "https://example.com/notes"), .tag("release"), .tag("swift"), .link(uri: "https://example.com/v2"),
        ])
    }

    @Test func webhookGetsTheMarkdownUnchangedWithoutTagsOrLink() {
        let p = post("  *Hi* [x](https://e.com)  \n", tags: ["a"], link: "https://example.com/v2")
        let hook = render(p, .webhook)
        #expect(hook.parts.map(\.text) == ["*Hi* [x](https://e.com)"])
        #expect(hook.parts[0].limit == nil)
    }

    @Test func linkAlreadyInTheBodyIsNotAppendedTwice() {
        let p = post("Notes: https://example.com/v2", link: "https://example.com/v2")
        #expect(render(p, .mastodon).parts[0].text == "Notes: https://example.com/v2")
        let q = post("[Notes](https://example.com/v2)", link: "https://example.com/v2/")
        #expect(render(q, .x).parts[0].text == "Notes https://example.com/v2")
    }

    @Test func tagsAreCamelCasedAndNotRepeated() {
        let p = post("Love #Swift", tags: ["swift", "open source", "open-source", "2026"])
        #expect(render(p, .mastodon).parts[0].text == "Love #Swift\n\n#openSource")
        #expect(render(p, .discord).parts[0].text == "Love #Swift")
        #expect(render(p, .telegram).parts[0].text == "Love #Swift\n\n#openSource")
    }

    @Test func variantsByChannelThenPlatform() {
        let p = post("Long body", variants: ["x": "Short for X", "work-x": "Work account"])
        #expect(render(p, .x).parts[0].text == "Short for X")
        #expect(render(p, .x, channel: "work-x").parts[0].text == "Work account")
        #expect(render(p, .x, channel: "other-x").parts[0].text == "Short for X")
        #expect(render(p, .bluesky).parts[0].text == "Long body")
    }

    @Test func longRejectReportsTheMeasuredLength() {
        let body = String(repeating: "a", count: 311)
        let v = render(post(body, long: .reject), .x)
        #expect(v.errors.count == 1)
        #expect(v.errors[0].hasPrefix("too long for x: 311/280 (long: reject)"))
        #expect(v.parts[0].length == 311)
        let w = render(post(body), .x, channel: "work-x", options: RenderOptions(long: .reject))
        #expect(w.errors[0].hasPrefix("too long for work-x (x): 311/280 (long: reject)"))
        let bytes = render(post(String(repeating: "👨‍👩‍👧‍👦", count: 200), long: .reject), .bluesky)
        #expect(bytes.errors[0].hasPrefix("too long for bluesky: 5000/3000 UTF-8 bytes (long: reject)"))
    }

    @Test func truncateKeepsTheLinkAndCutsAtAWord() {
        let body = String(repeating: "many words here, ", count: 40)
        let link = "https://example.com/" + String(repeating: "p", count: 100)
        for platform in [Platform.x, .bluesky, .mastodon, .threads, .linkedin, .instagram] {
            let v = render(post(body, tags: ["swift"], link: link, media: [PostMedia(file: "a.png", alt: "alt")],
                                long: .truncate), platform, options: RenderOptions(limit: 200))
            #expect(v.errors.isEmpty, "\(platform): \(v.errors)")
            #expect(v.warnings.contains("truncated"))
            #expect(v.parts.count == 1)
            let text = v.parts[0].text
            #expect(text.hasSuffix(platform == .linkedin ? LinkedInLittleWriter.escape(link) : link))
            #expect(text.contains("here…") || text.contains("words…") || text.contains("many…"), "\(text)")
            #expect(v.parts[0].length <= 200)
        }
    }

    @Test func threadFallsBackToTruncateWithoutReplies() {
        let body = String(repeating: "word ", count: 700)
        let v = render(post(body), .linkedin)
        #expect(v.parts.count == 1)
        #expect(v.parts[0].length <= 3000)
        #expect(v.warnings.contains { $0.contains("thread is not possible on linkedin") })
        #expect(v.warnings.contains("truncated"))
        let t = render(post(body, media: [PostMedia(file: "a.jpg", alt: "a")]), .telegram)
        #expect(t.parts[0].length <= 1024, "a caption")
    }

    @Test func threadSplitsOnPlatformsWithReplies() {
        let body = (1...8).map { "Paragraph \($0) says something useful about the release and more." }
            .joined(separator: "\n\n")
        let v = render(post(body, tags: ["swift"], link: "https://example.com/v2"), .bluesky,
                       options: RenderOptions(limit: 150))
        #expect(v.errors.isEmpty)
        #expect(v.parts.count > 1)
        #expect(v.parts.allSatisfy { $0.length <= 150 })
        #expect(v.parts.last!.text.contains("#swift\nhttps://example.com/v2"))
        #expect(v.parts[0].text.hasSuffix(" 1/\(v.parts.count)"))
        for part in v.parts {
            let bytes = Array(part.text.utf8)
            for f in part.facets where f.feature == .tag("swift") {
                #expect(String(decoding: bytes[f.byteStart..<f.byteEnd], as: UTF8.self) == "#swift")
            }
        }
    }

    @Test func mastodonInstanceLimitOverride() {
        let body = String(repeating: "a", count: 600)
        #expect(render(post(body), .mastodon, options: RenderOptions(limit: 1000)).parts.count == 1)
        #expect(render(post(body), .mastodon).parts.count == 2)
    }

    @Test func requireAlt() {
        let p = post("Hi", media: [PostMedia(file: "a.png"), PostMedia(file: "clip.mp4")])
        let strict = render(p, .mastodon)
        #expect(strict.errors == ["a.png has no alt text: add `alt:` to it (require_alt is on)"])
        let lax = render(p, .mastodon, options: RenderOptions(requireAlt: false))
        #expect(lax.errors.isEmpty)
        #expect(lax.warnings == ["a.png has no alt text: add `alt:` to it"])
    }

    @Test func mediaCountAndAltLength() {
        let five = (1...5).map { PostMedia(file: "\($0).png", alt: "alt") }
        #expect(render(post("Hi", media: five), .x).errors.count == 1)
        #expect(render(post("Hi", media: five), .instagram).errors.isEmpty)
        let longAlt = [PostMedia(file: "a.png", alt: String(repeating: "a", count: 1001))]
        #expect(render(post("Hi", media: longAlt), .x).errors.first?.contains("x allows 1000") == true)
        #expect(render(post("Hi", media: longAlt), .mastodon).errors.isEmpty)
    }

    @Test func instagramRules() {
        let image = [PostMedia(file: "a.png", alt: "alt")]
        #expect(render(post("Hi", media: image), .instagram).errors.isEmpty)
        #expect(render(post("Hi"), .instagram).errors.first?.contains("needs at least one image") == true)
        let manyTags = (1...31).map { "tag\($0)x" }
        let tooManyTags = render(post("Hi", tags: manyTags, media: image), .instagram)
        #expect(tooManyTags.errors.first?.contains("at most 30 hashtags") == true)
        #expect(render(post("Hi", tags: Array(manyTags.prefix(30)), media: image), .instagram).errors.isEmpty)
        let mentions = (1...21).map { "@user\($0)" }.joined(separator: " ")
        #expect(render(post(mentions, media: image), .instagram).errors.first?.contains("at most 20 @mentions") == true)
    }

    @Test func emptyPostIsAnError() {
        #expect(render(post("   "), .x).errors.first?.hasPrefix("nothing to send to x") == true)
        #expect(render(post("", link: "https://e.com"), .x).errors.isEmpty)
    }

    @Test func telegramHTMLAndLength() {
        let v = render(post("**a & b** <3"), .telegram)
        #expect(v.parts[0].text == "<b>a &amp; b</b> &lt;3")
        #expect(v.parts[0].length == 8)
    }

    @Test func renderIsDeterministicAcrossAllPlatforms() {
        let p = post("Hi *there* https://e.com/x_y #tag @me", tags: ["a b"], link: "https://e.com/l",
                     media: [PostMedia(file: "a.png", alt: "Alt")])
        for platform in Platform.allCases {
            let a = render(p, platform), b = render(p, platform)
            #expect(a == b)
            #expect(a.errors.isEmpty, "\(platform): \(a.errors)")
            #expect(a.parts.allSatisfy { $0.length == TextLength.count($0.text, platform: platform) })
        }
    }
}

struct RenderBatchTests {
    @Test func batchRenderEqualsOneByOne() {
        let bodies = ["Hi *there* https://e.com/x_y #tag @me", String(repeating: "Long words here. ", count: 60),
                      "こんにちは 👨‍👩‍👧‍👦 example.com/a", ""]
        for (i, body) in bodies.enumerated() {
            let post = Post(id: "p\(i)", file: "p.md", channels: .all, tags: i % 2 == 0 ? ["open source"] : [],
                            link: "https://e.com/l", media: i == 1 ? [] : [PostMedia(file: "a.png", alt: "A")],
                            variants: ["x": "For X only"], body: body)
            let targets = Platform.allCases.map { RenderTarget(channel: $0.rawValue, platform: $0) }
                + [RenderTarget(channel: "big-mastodon", platform: .mastodon, options: RenderOptions(limit: 5000))]
            let batch = PostRenderer.render(post, targets: targets)
            let single = targets.map { PostRenderer.render(post, channel: $0.channel, platform: $0.platform, options: $0.options) }
            #expect(batch == single)
        }
    }
}
