import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// Real images through the real pipeline (`ImagePlanner` + libvips + the cache): a 24-megapixel
/// photo with EXIF GPS and orientation 6, a 4 MB PNG screenshot, a 1:3 tall image, derived for
/// Bluesky, Instagram and X — within each platform's limits, metadata gone, orientation applied,
/// ratios as configured.
@Suite(.serialized) struct ImageDerivationTests {
    /// 6000 × 4000 stored, orientation 6 (turned a quarter clockwise): displayed 4000 × 6000.
    static let photo = TestImages.withEXIF(TestImages.jpeg(width: 6000, height: 4000, sigma: 8), orientation: 6)
    static let screenshot = TestImages.png(width: 2000, height: 1400, sigma: 60)
    static let tall = TestImages.jpeg(width: 1000, height: 3000, sigma: 10)

    struct Fixture {
        let directory = TemporaryDirectory()
        let source: DerivedMediaSource

        init() {
            directory.write("", to: "queue/media/.keep")
            source = DerivedMediaSource(layout: QueueLayout(root: directory.path + "/queue"))
        }

        func put(_ data: Data, _ file: String) {
            _ = FileManager.default.createFile(atPath: directory.path + "/queue/" + file, contents: data)
        }

        func derive(_ file: String, crop: ImageCrop? = nil, for platform: Platform) throws -> (MediaItem, Data) {
            let post = Post(id: "p", file: "p.md", channels: .all, media: [PostMedia(file: file, alt: "A", crop: crop)], body: "")
            let item = try #require(try source.items(of: post, platform: platform, publicBaseURL: nil).first)
            return (item, try source.bytes(of: item))
        }
    }

    /// What the bytes say (never what the item says).
    static func sniffed(_ data: Data) -> MediaSniffer.Result { MediaSniffer.sniff(data) }

    @Test func theTestPhotoIsWhatItClaims() {
        #expect(Self.photo.count > 2_000_000, "a photo over Bluesky's limit")
        #expect(TestImages.hasEXIF(Self.photo))
        #expect(Self.sniffed(Self.photo) == MediaSniffer.Result(mimeType: "image/jpeg", width: 6000, height: 4000, orientation: 6))
        #expect(Self.screenshot.count > 3_500_000, "a PNG of about 4 MB: \(Self.screenshot.count)")
    }

    @Test func aPhotoForBlueskyIsTurnedScaledAndStripped() throws {
        let fixture = Fixture()
        fixture.put(Self.photo, "media/photo.jpg")
        let (item, data) = try fixture.derive("media/photo.jpg", for: .bluesky)
        let bytes = Self.sniffed(data)
        #expect(data.count <= 2_000_000, "Bluesky's limit: \(data.count)")
        #expect(bytes.mimeType == "image/jpeg")
        #expect(bytes.width == 1333 && bytes.height == 2000, "orientation applied (portrait), within 2000 × 2000: \(bytes)")
        #expect(bytes.orientation == nil)
        #expect(!TestImages.hasEXIF(data), "no EXIF, no GPS")
        #expect(item.byteCount == data.count && item.width == 1333 && item.height == 2000 && item.derivedFile != nil)
        #expect(item.file == "media/photo.jpg", "adapters still see the post's file name")
        let cached = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path + "/queue/.crier/media")
        #expect(cached == [try #require(item.derivedFile)], "kept in the state directory, not in the queue")
    }

    @Test func aPhotoForInstagramNeedsACropAndGetsFourToFive() throws {
        let fixture = Fixture()
        fixture.put(Self.photo, "media/photo.jpg")
        let item = MediaItem(PostMedia(file: "media/photo.jpg"), byteCount: Self.photo.count, sniffed: Self.sniffed(Self.photo))
        guard case .failure(let error) = ImagePlanner.plan(item, crop: nil, platform: .instagram) else {
            Issue.record("a 2:3 portrait is outside Instagram's range")
            return
        }
        #expect(error.message.contains("4000×6000, a ratio of 2:3; instagram takes images from 4:5 to 1.91:1"))
        let (_, data) = try fixture.derive("media/photo.jpg", crop: .center, for: .instagram)
        let bytes = Self.sniffed(data)
        #expect(bytes.mimeType == "image/jpeg" && bytes.width == 1440 && bytes.height == 1800, "4:5 at Instagram's 1440 width: \(bytes)")
        #expect(data.count <= 8_000_000 && !TestImages.hasEXIF(data))
    }

    @Test func aPhotoForXKeepsItsRatioOrIsCutToSixteenNine() throws {
        let fixture = Fixture()
        fixture.put(Self.photo, "media/photo.jpg")
        let (_, kept) = try fixture.derive("media/photo.jpg", for: .x)
        let keptBytes = Self.sniffed(kept)
        #expect(kept.count <= 5_000_000 && !TestImages.hasEXIF(kept))
        #expect(keptBytes.width.map { Double($0) } .flatMap { w in keptBytes.height.map { w / Double($0) } }
                .map { abs($0 - 2.0 / 3.0) < 0.01 } == true, "2:3 portrait kept without crop: \(keptBytes)")
        let (_, cut) = try fixture.derive("media/photo.jpg", crop: .top, for: .x)
        let cutBytes = Self.sniffed(cut)
        let cutWidth = try #require(cutBytes.width)
        let cutHeight = try #require(cutBytes.height)
        #expect(abs(cutWidth * 9 - cutHeight * 16) <= 16, "16:9: \(cutBytes)")
        #expect(cutWidth == 4000 || cut.count > 4_000_000, "full width unless it had to shrink to fit 5 MB: \(cutBytes)")
        #expect(cut.count <= 5_000_000 && !TestImages.hasEXIF(cut))
    }

    @Test func aScreenshotStaysPNGWhereItFitsAndBecomesJPEGWhereItDoesNot() throws {
        let fixture = Fixture()
        fixture.put(Self.screenshot, "media/screen.png")
        let (_, forX) = try fixture.derive("media/screen.png", for: .x)
        #expect(Self.sniffed(forX) == MediaSniffer.Result(mimeType: "image/png", width: 2000, height: 1400), "X takes 5 MB")
        #expect(forX.count > 3_500_000 && forX.count <= 5_000_000)
        let (_, forBluesky) = try fixture.derive("media/screen.png", for: .bluesky)
        #expect(forBluesky.count <= 2_000_000)
        #expect(Self.sniffed(forBluesky).mimeType == "image/jpeg", "the PNG is over Bluesky's 2 MB, so JPEG")
        let (_, forInstagram) = try fixture.derive("media/screen.png", for: .instagram)
        #expect(Self.sniffed(forInstagram) == MediaSniffer.Result(mimeType: "image/jpeg", width: 1440, height: 1008),
                "Instagram takes JPEG only, at most 1440 wide")
    }

    @Test func aWebPStaysWebPWhereTakenAndBecomesJPEGWhereNot() throws {
        let fixture = Fixture()
        fixture.put(TestImages.webp(width: 6000, height: 600), "media/banner.webp")
        let (_, forTelegram) = try fixture.derive("media/banner.webp", for: .telegram)
        #expect(Self.sniffed(forTelegram) == MediaSniffer.Result(mimeType: "image/webp", width: 5000, height: 500),
                "Telegram takes WebP, at most 5000 wide here")
        let (_, forInstagram) = try fixture.derive("media/banner.webp", crop: .center, for: .instagram)
        #expect(Self.sniffed(forInstagram) == MediaSniffer.Result(mimeType: "image/jpeg", width: 1146, height: 600),
                "JPEG only, cut to 1.91:1")
    }

    @Test func aTallImageIsCutOnlyWhereThePostSaysHow() throws {
        let fixture = Fixture()
        fixture.put(Self.tall, "media/tall.jpg")
        let (_, top) = try fixture.derive("media/tall.jpg", crop: .top, for: .instagram)
        #expect(Self.sniffed(top) == MediaSniffer.Result(mimeType: "image/jpeg", width: 1000, height: 1250))
        let (_, focused) = try fixture.derive("media/tall.jpg", crop: .focus(x: 0.5, y: 0.9), for: .instagram)
        #expect(Self.sniffed(focused).height == 1250)
        #expect(focused != top, "a different part of the image")
        let (_, bluesky) = try fixture.derive("media/tall.jpg", for: .bluesky)
        #expect(Self.sniffed(bluesky).width == 666 && Self.sniffed(bluesky).height == 2000, "no crop where any ratio is taken")
    }

    @Test func aTallImageWithoutCropIsAPreviewErrorNamingTheRatio() throws {
        let directory = TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: directory.write("", to: "queue/media/tall.jpg"), contents: Self.tall)
        directory.write("---\nchannels: [ops, insta]\nmedia:\n  - file: media/tall.jpg\n    alt: Tall\n---\nTall.\n", to: "queue/tall.md")
        directory.write("---\nchannels: [ops, insta]\nmedia:\n  - file: media/tall.jpg\n    alt: Tall\n    crop: top\n---\nCut.\n",
                        to: "queue/cut.md")
        var config = try #require(ConfigParser.parse("""
            timezone: UTC
            channels:
              ops: { platform: webhook, url: "http://127.0.0.1:9/ops" }
            """).config)
        config.channels.append(ChannelConfig(name: "insta", platform: .instagram, url: "http://127.0.0.1:9/ig",
                                             secrets: ["client_secret": SecretReference("env:CRIER_TEST_IG_SECRET")],
                                             settings: ["user_id": "1789", "media_base_url": "http://127.0.0.1:9/media"]))
        let report = try PreviewPlanner(config: config, layout: QueueLayout(root: directory.path + "/queue"))
            .plan(paths: [], now: Date(timeIntervalSince1970: 1_795_334_400))
        let tall = try #require(report.posts.first { $0.id == "tall" }?.deliveries.first { $0.channel == "insta" })
        #expect(tall.at == nil)
        #expect(tall.errors == ["media/tall.jpg is 1000×3000, a ratio of 1:3; instagram takes images from 4:5 to 1.91:1: "
                                + "add `crop: center`, `crop: top` or `focus: [x, y]` to its media entry to let crier crop it, "
                                + "or leave insta out of `channels:`"])
        let cut = try #require(report.posts.first { $0.id == "cut" }?.deliveries.first { $0.channel == "insta" })
        #expect(cut.errors.isEmpty && cut.at != nil, "\(cut.errors)")
        let image = try #require(cut.images.first)
        #expect(image.derived && image.type == "image/jpeg" && image.width == 1000 && image.height == 1250 && image.crop == "4:5 top")
        #expect(image.bytes > 0)
        let json = String(decoding: try JSONEncoder().encode(cut), as: UTF8.self)
        #expect(json.contains("\"images\":[{"), "the JSON lists it: \(json)")
        let timeline = PreviewTimeline.render(report, timeZone: .gmt, now: Date(timeIntervalSince1970: 1_795_334_400), color: false)
        #expect(timeline.contains("image media/tall.jpg → image/jpeg 1000×1250, "), "\(timeline)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/queue/.crier/media")) ?? []).isEmpty,
                "the preview writes no derived image")
    }
}
