import Foundation
import Testing
@testable import CrierCore

struct PreviewTimelineTests {
    static let plain = """
        Times in Europe/Berlin, now 2026-11-22 08:30.

        Sunday 22 November 2026 (today)

          09:00  fosstodon (mastodon) · launch · queue/launch.md
            We just shipped v2. Faster builds:
            https://example.com/notes

            #release #swift
            length 74/500
            ! near-duplicate of 'launch-teaser' sent 3h ago

          09:05  x · launch · queue/launch.md
            part 1/3
            We just shipped v2. 1/3
            length 23/280
            part 2/3
            Builds are twice as fast. 2/3
            length 29/280
            part 3/3
            Notes: https://example.com/notes 3/3
            length 34/280
            ! split into a thread of 3 parts

        Monday 23 November 2026 (tomorrow)

          08:30  ops (webhook) · weekly · queue/weekly.md
            Weekly digest is out.
            length 21

          11:00  bluesky · weekly · queue/weekly.md
            Weekly digest is out.
            length 21/300
            ! media/chart.png has no alt text

        Not scheduled

          linkedin · launch · queue/launch.md
            We just shipped v2, and here is the whole story.
            length 3012/3000, 12 over
            ✗ too long (3012/3000) and long: reject; shorten it or add a linkedin variant

          fosstodon (mastodon) · weekly · queue/weekly.md
            Weekly digest is out.
            length 21/500
            ! channel paused: incident 42

        Errors

          broken · queue/broken.md
            ✗ line 3: unknown channel 'myspace'; use a channel name from crier.yml or "all"

        3 posts, 6 deliveries, 4 warnings, 2 errors

        """

    @Test func rendersTheFixtureWithoutColour() {
        let output = PreviewTimeline.render(PreviewFixture.report, timeZone: PreviewFixture.berlin,
                                            now: PreviewFixture.now, color: false)
        #expect(output == Self.plain)
        #expect(!output.contains("\u{1B}"))
    }

    @Test func rendersColourWithResets() {
        let report = PreviewReport(posts: [
            PreviewPost(id: "teaser", file: "queue/teaser.md", deliveries: [
                PreviewDelivery(channel: "x", platform: .x, at: Date(timeIntervalSince1970: 1_795_334_400),
                                parts: [PreviewPart(text: "Soon.", length: 5, limit: 280)],
                                warnings: ["truncated"]),
                PreviewDelivery(channel: "bluesky", platform: .bluesky,
                                parts: [PreviewPart(text: "Soon, but longer.", length: 301, limit: 300)],
                                errors: ["too long"]),
            ]),
        ])
        let output = PreviewTimeline.render(report, timeZone: PreviewFixture.berlin, now: PreviewFixture.now, color: true)
        let expected = "\u{1B}[2mTimes in Europe/Berlin, now 2026-11-22 08:30.\u{1B}[0m\n"
            + "\n"
            + "\u{1B}[1mSunday 22 November 2026 (today)\u{1B}[0m\n"
            + "\n"
            + "  \u{1B}[1m09:00\u{1B}[0m  \u{1B}[1mx\u{1B}[0m · teaser\u{1B}[2m · queue/teaser.md\u{1B}[0m\n"
            + "    Soon.\n"
            + "    \u{1B}[32mlength 5/280\u{1B}[0m\n"
            + "    \u{1B}[33m! truncated\u{1B}[0m\n"
            + "\n"
            + "\u{1B}[1mNot scheduled\u{1B}[0m\n"
            + "\n"
            + "  \u{1B}[1mbluesky\u{1B}[0m · teaser\u{1B}[2m · queue/teaser.md\u{1B}[0m\n"
            + "    Soon, but longer.\n"
            + "    \u{1B}[1;31mlength 301/300, 1 over\u{1B}[0m\n"
            + "    \u{1B}[31m✗ too long\u{1B}[0m\n"
            + "\n"
            + "\u{1B}[1m1 post, 2 deliveries\u{1B}[0m, \u{1B}[33m1 warning\u{1B}[0m, \u{1B}[31m1 error\u{1B}[0m\n"
        #expect(output == expected)
    }

    @Test func colourIsOnlyStyling() {
        let coloured = PreviewTimeline.render(PreviewFixture.report, timeZone: PreviewFixture.berlin,
                                              now: PreviewFixture.now, color: true)
        let stripped = coloured.replacing(#/\u{1B}\[[0-9;]*m/#, with: "")
        #expect(stripped == Self.plain)
        // Every line that opens a style closes it again.
        for line in coloured.split(separator: "\n") where line.contains("\u{1B}[") {
            #expect(line.hasSuffix("\u{1B}[0m"))
        }
    }

    @Test func sameInstantKeepsReportOrderAndSecondsShowWhenNeeded() {
        let at = Date(timeIntervalSince1970: 1_795_334_400)
        let report = PreviewReport(posts: [
            PreviewPost(id: "b", file: "b.md", deliveries: [
                PreviewDelivery(channel: "x", platform: .x, at: at.addingTimeInterval(37),
                                parts: [PreviewPart(text: "later", length: 5, limit: 280)]),
                PreviewDelivery(channel: "mastodon", platform: .mastodon, at: at,
                                parts: [PreviewPart(text: "first", length: 5, limit: 500)]),
            ]),
            PreviewPost(id: "a", file: "a.md", deliveries: [
                PreviewDelivery(channel: "bluesky", platform: .bluesky, at: at,
                                parts: [PreviewPart(text: "second", length: 6, limit: 300)]),
            ]),
        ])
        let output = PreviewTimeline.render(report, timeZone: PreviewFixture.berlin,
                                            now: at.addingTimeInterval(-3 * 86_400), color: false)
        #expect(output == """
            Times in Europe/Berlin, now 2026-11-19 09:00.

            Sunday 22 November 2026

              09:00:00  mastodon · b · b.md
                first
                length 5/500

              09:00:00  bluesky · a · a.md
                second
                length 6/300

              09:00:37  x · b · b.md
                later
                length 5/280

            2 posts, 3 deliveries, 0 warnings, 0 errors

            """)
    }

    @Test func controlCharactersInPostTextCannotReachTheTerminal() {
        let report = PreviewReport(posts: [
            PreviewPost(id: "sneaky", file: "sneaky.md", deliveries: [
                PreviewDelivery(channel: "ops", platform: .webhook,
                                parts: [PreviewPart(text: "a\u{1B}[2Jb\r\n\tc\u{9B}d", length: 9, limit: nil)],
                                warnings: ["not planned within 7 days"]),
            ]),
        ])
        let output = PreviewTimeline.render(report, timeZone: PreviewFixture.berlin,
                                            now: PreviewFixture.now, color: false)
        #expect(output == """
            Times in Europe/Berlin, now 2026-11-22 08:30.

            Not scheduled

              ops (webhook) · sneaky · sneaky.md
                a␛[2Jb␍
                \tc<U+009B>d
                length 9
                ! not planned within 7 days

            1 post, 1 delivery, 1 warning, 0 errors

            """)
    }

    @Test func emptyReportAndUnexplainedUnscheduledDelivery() {
        let empty = PreviewTimeline.render(PreviewReport(), timeZone: PreviewFixture.berlin,
                                           now: PreviewFixture.now, color: false)
        #expect(empty == """
            Times in Europe/Berlin, now 2026-11-22 08:30.

            Nothing to preview.

            0 posts, 0 deliveries, 0 warnings, 0 errors

            """)

        let report = PreviewReport(posts: [
            PreviewPost(id: "later", file: "later.md", deliveries: [
                PreviewDelivery(channel: "x", platform: .x, parts: [PreviewPart(text: "", length: 0, limit: 280)]),
            ]),
        ])
        let output = PreviewTimeline.render(report, timeZone: PreviewFixture.berlin, now: PreviewFixture.now, color: false)
        #expect(output == """
            Times in Europe/Berlin, now 2026-11-22 08:30.

            Not scheduled

              x · later · later.md
                (empty)
                length 0/280
                no send time planned yet

            1 post, 1 delivery, 0 warnings, 0 errors

            """)
    }
}
