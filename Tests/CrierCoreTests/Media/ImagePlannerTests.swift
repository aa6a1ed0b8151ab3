@testable import CrierCore
import Foundation
import Testing

/// The pure plan: limits from the platform descriptors, ratios, crop windows, formats.
@Suite struct ImagePlannerTests {
    static func item(_ type: String, _ width: Int, _ height: Int, orientation: Int = 1) -> MediaItem {
        var item = MediaItem(file: "m/i", alt: nil, byteCount: 10_000_000, mimeType: type, width: width, height: height)
        item.orientation = orientation
        return item
    }

    func plan(_ item: MediaItem, _ platform: Platform, crop: ImageCrop? = nil) throws -> ImagePlan {
        let result = ImagePlanner.plan(item, crop: crop, platform: platform)
        guard case .success(let plan?) = result else {
            Issue.record("no plan: \(result)")
            throw MediaError(file: item.file, message: "no plan")
        }
        return plan
    }

    @Test func orientationSwapsTheDisplayedSizeBeforeAnythingElse() throws {
        let plan = try plan(Self.item("image/jpeg", 6000, 4000, orientation: 6), .bluesky)
        #expect((plan.sourceWidth, plan.sourceHeight, plan.width, plan.height) == (4000, 6000, 1333, 2000))
        #expect(plan.crop == nil && plan.maxBytes == 2_000_000 && plan.formats == [.jpeg])
    }

    @Test func cropWindowsFollowTheEntry() {
        #expect(ImagePlanner.cropRect(width: 1000, height: 3000, ratio: 0.8, crop: .center)
                == ImagePlan.Rect(x: 0, y: 875, width: 1000, height: 1250))
        #expect(ImagePlanner.cropRect(width: 1000, height: 3000, ratio: 0.8, crop: .top)
                == ImagePlan.Rect(x: 0, y: 0, width: 1000, height: 1250))
        #expect(ImagePlanner.cropRect(width: 1000, height: 3000, ratio: 0.8, crop: .focus(x: 0.5, y: 0.99))
                == ImagePlan.Rect(x: 0, y: 1750, width: 1000, height: 1250), "moved inwards at the bottom edge")
        #expect(ImagePlanner.cropRect(width: 6000, height: 4000, ratio: 16.0 / 9.0, crop: .focus(x: 0.3, y: 0.5))
                == ImagePlan.Rect(x: 0, y: 313, width: 6000, height: 3375))
    }

    @Test func ratiosAsConfigured() throws {
        #expect(try plan(Self.item("image/jpeg", 4000, 6000), .x, crop: .center).crop == ImagePlan.Rect(x: 0, y: 1875, width: 4000, height: 2250))
        #expect(try plan(Self.item("image/jpeg", 4000, 6000), .x).crop == nil, "X takes any ratio: no crop without `crop:`")
        let linkedIn = try plan(Self.item("image/png", 2000, 2000), .linkedin, crop: .center)
        #expect(linkedIn.crop?.width == 2000 && linkedIn.crop?.height == 1047, "1.91:1")
        let square = try plan(Self.item("image/jpeg", 2000, 2000), .instagram, crop: .center)
        #expect(square.crop == nil && square.width == 1440 && square.height == 1440, "inside 4:5…1.91:1: nothing to cut")
        let wide = try plan(Self.item("image/jpeg", 3000, 1000), .instagram, crop: .center)
        #expect(wide.cropRatio == ImageRatio(1.91, 1) && wide.crop?.width == 1910)
    }

    @Test func aRatioThePlatformRefusesNamesBothRatios() {
        let result = ImagePlanner.plan(Self.item("image/jpeg", 1000, 3000), crop: nil, platform: .instagram)
        #expect(result == .failure(MediaError(file: "m/i", message: "m/i is 1000×3000, a ratio of 1:3; instagram takes images from 4:5 "
                                                + "to 1.91:1: add `crop: center`, `crop: top` or `focus: [x, y]` to its media entry "
                                                + "to let crier crop it")))
        #expect(ImagePlanner.plan(Self.item("image/jpeg", 1080, 1350), crop: nil, platform: .instagram) != result, "4:5 exactly is fine")
        #expect(ImageRatio.of(width: 1920, height: 1080).description == "16:9")
        #expect(ImageRatio.of(width: 1000, height: 2999).description == "1:3")
    }

    @Test func formatsKeepScreenshotsSharpWhereAllowed() throws {
        #expect(try plan(Self.item("image/png", 100, 100), .x).formats == [.png, .jpeg])
        #expect(try plan(Self.item("image/png", 100, 100), .instagram).formats == [.jpeg])
        #expect(try plan(Self.item("image/webp", 100, 100), .threads).formats == [.jpeg], "Threads takes JPEG and PNG")
        #expect(try plan(Self.item("image/webp", 100, 100), .telegram).formats == [.webp, .jpeg])
    }

    @Test func gifsVideosAndWebhooksAreLeftAlone() {
        #expect(ImagePlanner.plan(Self.item("image/gif", 100, 100), crop: nil, platform: .x) == .success(nil))
        #expect(ImagePlanner.plan(Self.item("video/mp4", 100, 100), crop: nil, platform: .x) == .success(nil))
        #expect(ImagePlanner.plan(Self.item("image/jpeg", 100, 100), crop: nil, platform: .webhook) == .success(nil))
    }

    @Test func thePostSaysHowToCrop() throws {
        let parser = PostParser(timeZone: TimeZone(identifier: "UTC")!)
        let text = "---\nmedia:\n  - file: a.jpg\n    crop: top\n  - file: b.jpg\n    focus: [0.3, 0.4]\n  - b.jpg\n---\nx\n"
        let post = try parser.parse(Data(text.utf8), fileName: "p.md")
        #expect(post.media.map(\.crop) == [.top, .focus(x: 0.3, y: 0.4), nil])
        let bad = "---\nmedia:\n  - file: a.jpg\n    crop: left\n  - file: b.jpg\n    focus: [1.3, 0.4]\n---\nx\n"
        let problems = try parser.parseKeepingProblems(Data(bad.utf8), fileName: "p.md").problems
        #expect(problems.map(\.field) == ["media[1].crop", "media[2].focus"])
        #expect(problems.map(\.line) == [4, 6])
    }
}
