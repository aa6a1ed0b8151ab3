@testable import CrierCore
import Testing

@Suite struct MediaLimitCheckTests {
    static func item(_ file: String, _ type: String, bytes: Int, width: Int? = nil, height: Int? = nil) -> MediaItem {
        MediaItem(file: file, alt: "alt", byteCount: bytes, mimeType: type, width: width, height: height)
    }

    func errors(_ items: [MediaItem], _ platform: Platform, channel: String = "c") -> [String] {
        MediaLimitCheck.check(items, descriptor: .of(platform), channel: channel).errors
    }

    @Test func withinTheLimitsNothingIsSaid() {
        let items = [Self.item("a.png", "image/png", bytes: 16_777_216, width: 4000, height: 3000),
                     Self.item("b.mp4", "video/mp4", bytes: 103_809_024)]
        #expect(MediaLimitCheck.check(items, descriptor: .of(.mastodon), channel: "fosstodon") == ([], []))
    }

    @Test func aTooLargeFileNamesItsSizeTheLimitAndWhatToDo() {
        let errors = errors([Self.item("media/big.png", "image/png", bytes: 17_000_000)], .mastodon, channel: "fosstodon")
        #expect(errors == ["media/big.png is 17.0 MB (17,000,000 bytes); mastodon takes images up to 16.8 MB (16,777,216 bytes): "
                           + "make it smaller, or leave fosstodon out of `channels:`"])
        #expect(self.errors([Self.item("v.mp4", "video/mp4", bytes: 2_000_001)], .bluesky).isEmpty)
        #expect(self.errors([Self.item("i.jpg", "image/jpeg", bytes: 2_000_001)], .bluesky).count == 1)
    }

    @Test func aTypeLimitReplacesTheImageLimit() {
        // X: images 5 MB, animated GIFs 15 MB.
        #expect(errors([Self.item("a.gif", "image/gif", bytes: 12_000_000)], .x).isEmpty)
        #expect(errors([Self.item("a.png", "image/png", bytes: 6_000_000)], .x).count == 1)
        #expect(errors([Self.item("a.gif", "image/gif", bytes: 16_000_000)], .x).first?.contains("takes GIFs up to 15.0 MB") == true)
    }

    @Test func aTypeThePlatformDoesNotTake() {
        #expect(errors([Self.item("clip.webm", "video/webm", bytes: 1_000)], .instagram, channel: "insta")
                == ["clip.webm is video/webm; instagram takes videos as video/mp4 or video/quicktime: convert it, "
                    + "or leave insta out of `channels:`"])
        #expect(errors([Self.item("a.png", "image/png", bytes: 1_000)], .instagram).first?.hasPrefix(
            "a.png is image/png; instagram takes images as image/jpeg:") == true)
        #expect(errors([Self.item("doc.pdf", MediaSniffer.unknownType, bytes: 1_000)], .mastodon).first?.hasPrefix(
            "doc.pdf is not an image or video crier recognises (PNG, JPEG, GIF, WebP, MP4, MOV or WebM); mastodon takes only images and videos") == true)
        // Discord, Slack and Matrix attach any file.
        #expect(errors([Self.item("doc.pdf", MediaSniffer.unknownType, bytes: 1_000)], .discord).isEmpty)
        #expect(errors([Self.item("doc.pdf", MediaSniffer.unknownType, bytes: 11 * 1_048_576)], .discord).count == 1)
    }

    @Test func tooManyPixels() {
        // A GIF is sent as it is (crier derives JPEG, PNG and WebP only: `ImagePlanner`).
        let huge = Self.item("pano.gif", "image/gif", bytes: 1_000, width: 10_000, height: 4_000)
        #expect(errors([huge], .mastodon, channel: "m") == ["pano.gif is 10000×4000 pixels; mastodon takes images of at most "
                                                           + "33,177,600 pixels: scale it down, or leave m out of `channels:`"])
        let photo = Self.item("pano.jpg", "image/jpeg", bytes: 1_000, width: 10_000, height: 4_000)
        #expect(errors([photo], .mastodon).isEmpty, "a JPEG is scaled down to fit instead")
        #expect(errors([Self.item("pano.jpg", "image/jpeg", bytes: 1_000)], .mastodon).isEmpty, "no size known, nothing checked")
    }

    @Test func webhooksTakeAnything() {
        let items = [Self.item("huge.bin", MediaSniffer.unknownType, bytes: Int.max), Self.item("a.png", "image/png", bytes: Int.max)]
        #expect(errors(items, .webhook).isEmpty)
    }

    @Test func sizesAreWrittenForPeople() {
        #expect(MediaLimitCheck.size(812) == "812 bytes")
        #expect(MediaLimitCheck.size(999_999) == "999,999 bytes")
        #expect(MediaLimitCheck.size(1_000_000) == "1.0 MB (1,000,000 bytes)")
        #expect(MediaLimitCheck.size(103_809_024) == "103.8 MB (103,809,024 bytes)")
        #expect(MediaLimitCheck.grouped(0) == "0")
        #expect(MediaLimitCheck.grouped(1_234_567_890) == "1,234,567,890")
    }

    /// The renderer reports what the intake found per channel: the same file fails Mastodon and
    /// goes to the webhook.
    @Test func theRendererFailsOnlyTheChannelWhosePlatformRefusesTheFile() {
        var post = Post(id: "p", file: "p.md", channels: .named(["fosstodon", "ops"]), media: [PostMedia(file: "media/big.gif", alt: "A chart")],
                        body: "Numbers are in.")
        post.mediaItems = [Self.item("media/big.gif", "image/gif", bytes: 20_000_000, width: 100, height: 100)]
        let variants = PostRenderer.render(post, targets: [RenderTarget(channel: "fosstodon", platform: .mastodon),
                                                           RenderTarget(channel: "ops", platform: .webhook)])
        #expect(variants[0].errors.count == 1)
        #expect(variants[0].errors.first?.hasPrefix("media/big.gif is 20.0 MB") == true)
        #expect(variants[1].errors.isEmpty)
        // A PNG of known size is made to fit instead (`ImagePlanner`): no error.
        var png = post
        png.mediaItems = [Self.item("media/big.gif", "image/png", bytes: 20_000_000, width: 100, height: 100)]
        #expect(PostRenderer.render(png, channel: "fosstodon", platform: .mastodon, options: RenderOptions()).errors.isEmpty)
        post.mediaItems = nil
        #expect(PostRenderer.render(post, channel: "fosstodon", platform: .mastodon, options: RenderOptions()).errors.isEmpty,
                "without what the intake read, only counts and alt text are checked")
    }

    @Test func publicURLsEncodeEachSegment() {
        #expect(MediaItem.publicURL(base: "https://cdn.example.com/q/", file: "media/Launch day.png")
                == "https://cdn.example.com/q/media/Launch%20day.png")
        #expect(MediaItem.publicURL(base: "https://cdn.example.com", file: "a+b/ü?#.jpg")
                == "https://cdn.example.com/a%2Bb/%C3%BC%3F%23.jpg")
    }

    @Test func anItemFromTheSnifferTrimsItsAltText() {
        let sniffed = MediaSniffer.Result(mimeType: "image/png", width: 2, height: 3)
        let item = MediaItem(PostMedia(file: "a.png", alt: "  A chart \n"), byteCount: 10, sniffed: sniffed, publicURL: nil)
        #expect(item == MediaItem(file: "a.png", alt: "A chart", byteCount: 10, mimeType: "image/png", width: 2, height: 3))
        #expect(MediaItem(PostMedia(file: "a.png", alt: " "), byteCount: 1, sniffed: sniffed).alt == nil)
    }
}
