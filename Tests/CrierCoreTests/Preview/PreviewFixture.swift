import Foundation
@testable import CrierCore

/// A small fixed report for the golden tests: two posts with deliveries on two days (in Berlin), a
/// three-part thread, warnings, a per-delivery error, an unscheduled delivery, and a file that failed.
enum PreviewFixture {
    /// 2026-11-22T07:30:00Z, a Sunday: 08:30 in Berlin.
    static let now = Date(timeIntervalSince1970: 1_795_332_600)
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static let report = PreviewReport(posts: [
        PreviewPost(id: "launch", file: "queue/launch.md", deliveries: [
            PreviewDelivery(
                channel: "fosstodon", platform: .mastodon,
                at: Date(timeIntervalSince1970: 1_795_334_400), // 2026-11-22T08:00:00Z
                parts: [PreviewPart(text: "We just shipped v2. Faster builds:\nhttps://example.com/notes\n\n#release #swift",
                                    length: 74, limit: 500)],
                warnings: ["near-duplicate of 'launch-teaser' sent 3h ago"]),
            PreviewDelivery(
                channel: "x", platform: .x,
                at: Date(timeIntervalSince1970: 1_795_334_700), // 2026-11-22T08:05:00Z
                parts: [
                    PreviewPart(text: "We just shipped v2. 1/3", length: 23, limit: 280),
                    PreviewPart(text: "Builds are twice as fast. 2/3", length: 29, limit: 280),
                    PreviewPart(text: "Notes: https://example.com/notes 3/3", length: 34, limit: 280),
                ],
                warnings: ["split into a thread of 3 parts"]),
            PreviewDelivery(
                channel: "linkedin", platform: .linkedin,
                parts: [PreviewPart(text: "We just shipped v2, and here is the whole story.", length: 3012, limit: 3000)],
                errors: ["too long (3012/3000) and long: reject; shorten it or add a linkedin variant"]),
        ]),
        PreviewPost(id: "weekly", file: "queue/weekly.md", deliveries: [
            PreviewDelivery(
                channel: "ops", platform: .webhook,
                at: Date(timeIntervalSince1970: 1_795_419_000.25), // 2026-11-23T07:30:00.250Z
                parts: [PreviewPart(text: "Weekly digest is out.", length: 21, limit: nil)]),
            PreviewDelivery(
                channel: "bluesky", platform: .bluesky,
                at: Date(timeIntervalSince1970: 1_795_428_000), // 2026-11-23T10:00:00Z
                parts: [PreviewPart(text: "Weekly digest is out.", length: 21, limit: 300)],
                warnings: ["media/chart.png has no alt text"]),
            PreviewDelivery(
                channel: "fosstodon", platform: .mastodon,
                parts: [PreviewPart(text: "Weekly digest is out.", length: 21, limit: 500)],
                warnings: ["channel paused: incident 42"]),
        ]),
        PreviewPost(id: "broken", file: "queue/broken.md",
                    errors: ["line 3: unknown channel 'myspace'; use a channel name from crier.yml or \"all\""]),
    ])
}
