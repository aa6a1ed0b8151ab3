import CrierTestSupport
import Foundation
import Testing
@testable import CrierCore

@Suite struct NearDuplicateTests {
    let now = ThrottleFixtures.date("2026-01-15T12:00:00Z")

    @Test func normalizes() {
        #expect(NearDuplicate.normalize("Thanks so much @alice for the PR! https://x.co/1") == "thanks so much for the pr")
        #expect(NearDuplicate.normalize("#Swift 6 is OUT!!!  (see www.swift.org)") == "swift 6 is out see")
        #expect(NearDuplicate.normalize("cc (@bob@fosstodon.org), @carol: merged") == "cc merged")
        #expect(NearDuplicate.normalize("  line one\n\n\tline—two  ") == "line one line two")
        #expect(NearDuplicate.normalize("Grüße aus Köln 🎉 v2.0") == "grüße aus köln v2 0")
        #expect(NearDuplicate.normalize("mail me@example.com") == "mail me example com")
        #expect(NearDuplicate.normalize("https://example.com @x") == "")
    }

    @Test func thankYouPostsAreNearDuplicates() {
        let a = "Thanks so much @alice for the PR!"
        let b = "Thanks so much @bob for the PR! https://x.co/1"
        #expect(NearDuplicate.similarity(a, b) >= NearDuplicate.defaultThreshold)
        #expect(NearDuplicate.similarity("Huge thanks to @alice for fixing the parser crash in #swift, release tonight!",
                                         "Huge thanks to @dave for fixing the parser crash in #Swift - release tonight")
                >= NearDuplicate.defaultThreshold)
    }

    @Test func differentPostsAreNot() {
        let pairs = [
            ("We just shipped v2: faster builds and a new dashboard.", "Join us Thursday for the community call about plugins."),
            ("Thanks so much @alice for the PR!", "The PR from @alice broke the nightly build, reverting."),
            ("Release notes for v2 are up", "Release party photos are up on the blog, thanks everyone who came by"),
            ("Hello", "Goodbye"),
        ]
        for (a, b) in pairs {
            #expect(NearDuplicate.similarity(a, b) < NearDuplicate.defaultThreshold, "\(a) / \(b)")
        }
        #expect(NearDuplicate.similarity(pairs[0].0, pairs[0].1) < 0.1)
    }

    @Test func similarityBoundsAndSymmetry() {
        let texts = ["", "Hello world", "hello, WORLD!", "a b c d e f", "a b c d e g", "https://a.example @x", "https://b.example"]
        for a in texts {
            for b in texts {
                let score = NearDuplicate.similarity(a, b)
                #expect(score >= 0 && score <= 1)
                #expect(score == NearDuplicate.similarity(b, a))
            }
        }
        #expect(NearDuplicate.similarity("Hello world", "hello, WORLD!") == 1)
        // Texts that normalise to nothing match only when identical.
        #expect(NearDuplicate.similarity("https://a.example @x", "https://a.example @x") == 1)
        #expect(NearDuplicate.similarity("https://a.example", "https://b.example") == 0)
        #expect(NearDuplicate.similarity("", "Hello") == 0)
        // Six words, one changed at the end: 4 of 6 bigrams shared.
        #expect(NearDuplicate.similarity("a b c d e f", "a b c d e g") == 4.0 / 6.0)
        // Short texts compare word sets: {ship, it} vs {ship, it, now}.
        #expect(NearDuplicate.similarity("Ship it", "ship it now") == 2.0 / 3.0)
    }

    @Test func findMatchHonoursThresholdAndWindow() throws {
        let text = "Thanks so much @bob for the PR! https://x.co/1"
        let recent: [(postID: String, text: String, sentAt: Date)] = [
            ("thanks-old", "Thanks so much @zed for the PR!", now.addingTimeInterval(-25 * 3_600)),
            ("thanks-alice", "Thanks so much @alice for the PR!", now.addingTimeInterval(-3 * 3_600)),
            ("launch", "We just shipped v2: faster builds and a new dashboard.", now.addingTimeInterval(-600)),
            ("thanks-future", "Thanks so much @carol for the PR!", now.addingTimeInterval(600)),
        ]
        let match = try #require(NearDuplicate.findMatch(text: text, recent: recent, now: now, window: 24 * 3_600, threshold: 0.8))
        #expect(match == NearDuplicate.Match(postID: "thanks-alice", sentAt: now.addingTimeInterval(-3 * 3_600), similarity: 1))
        // A longer window reaches the older send too; on a tie the most recent wins.
        #expect(NearDuplicate.findMatch(text: text, recent: recent, now: now, window: 48 * 3_600, threshold: 0.8)?.postID == "thanks-alice")
        // Window edge is inclusive.
        #expect(NearDuplicate.findMatch(text: text, recent: recent, now: now, window: 3 * 3_600, threshold: 0.8)?.postID == "thanks-alice")
        #expect(NearDuplicate.findMatch(text: text, recent: recent, now: now, window: 3 * 3_600 - 1, threshold: 0.8) == nil)
        #expect(NearDuplicate.findMatch(text: "Completely unrelated announcement about the meetup", recent: recent, now: now,
                                        window: 48 * 3_600, threshold: 0.8) == nil)
    }

    @Test func findMatchPicksTheMostSimilarAtOrAboveThreshold() throws {
        let text = "a b c d e f g h"
        let recent: [(postID: String, text: String, sentAt: Date)] = [
            ("close", "a b c d e f g x", now.addingTimeInterval(-60)),    // 6 of 8 bigrams
            ("closer", "a b c d e f g h i", now.addingTimeInterval(-120)), // 7 of 8
        ]
        let best = try #require(NearDuplicate.findMatch(text: text, recent: recent, now: now, window: 3_600, threshold: 0.5))
        #expect(best.postID == "closer")
        #expect(best.similarity == 7.0 / 8.0)
        #expect(NearDuplicate.findMatch(text: text, recent: recent, now: now, window: 3_600, threshold: 7.0 / 8.0)?.postID == "closer")
        #expect(NearDuplicate.findMatch(text: text, recent: recent, now: now, window: 3_600, threshold: 0.9) == nil)
        #expect(NearDuplicate.findMatch(text: text, recent: [], now: now, window: 3_600, threshold: 0.5) == nil)
    }

    @Test func policies() {
        #expect(DuplicatePolicy.allCases.map(\.rawValue) == ["hold", "warn", "allow"])
        #expect(DuplicatePolicy(rawValue: "warn") == .warn)
    }

    /// Finds the one near-duplicate among 10,000 recent sends (speed is measured in bench/, not here).
    @Test func findsTheMatchAmongTenThousandRecentSends() {
        var generator = FastRandom(seed: 42)
        let vocabulary = ["release", "swift", "thanks", "build", "faster", "dashboard", "community", "call", "plugin",
                          "server", "linux", "daemon", "queue", "post", "channel", "v2", "notes", "today", "we", "the"]
        let recent: [(postID: String, text: String, sentAt: Date)] = (0..<10_000).map { index in
            let words = (0..<40).map { _ in vocabulary[Int(generator.next() % UInt64(vocabulary.count))] }
            return ("p\(index)", "@user\(index) " + words.joined(separator: " ") + " https://example.com/\(index) #swift",
                    now.addingTimeInterval(-Double(index)))
        }
        let match = NearDuplicate.findMatch(text: recent[5_000].text, recent: recent, now: now, window: 86_400, threshold: 0.8)
        #expect(match?.similarity ?? 0 >= 0.8)
    }
}
