import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// Instagram through the real `crier` binary against a strict loopback fake of the content
/// publishing API: a carousel of three, text-only posts refused naming the channel, a lost publish
/// reconciled, the daily quota.
@Suite(.serialized) struct InstagramEndToEndTests {
    @Test func aCarouselOfThreeIsOnePostWithThreeImages() throws {
        let installation = try MetaInstallation(api: .instagram)
        for name in ["1.jpg", "2.jpg", "3.jpg"] { installation.image(name) }
        installation.drop("carousel.md", """
            ---
            channels: [meta]
            media:
              - { file: media/1.jpg, alt: First }
              - { file: media/2.jpg, alt: Second }
              - { file: media/3.jpg, alt: Third }
            ---
            Three pictures, one post.

            """)
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let fake = installation.fake
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.posts.count == 1)
        #expect(fake.posts.first?.media == ["1.jpg", "2.jpg", "3.jpg"].map { "\(installation.mediaHost.url)/media/\($0)" })
        #expect(fake.posts.first?.altTexts == ["First", "Second", "Third"])
        #expect(fake.posts.first?.text == "Three pictures, one post.")
        #expect(installation.mediaHost.requests.filter { $0.hasPrefix("HEAD ") }.count == 3)
        #expect(try installation.delivery("carousel")["status"] as? String == "sent")
    }

    @Test func aTextOnlyPostIsAnErrorNamingTheChannelAndOthersKeepGoing() throws {
        let installation = try MetaInstallation(api: .instagram)
        installation.drop("words.md", "---\nchannels: [meta, ops]\n---\nJust words, no picture.\n")
        let preview = try installation.crier(["preview", "--json"])
        #expect(preview.status == 1)
        #expect(preview.output.contains("instagram needs at least one image or video for meta"), "\(preview.output)")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.fake.requests.isEmpty, "nothing was sent to Instagram")
        #expect(try installation.delivery("words", channel: "ops")["status"] as? String == "sent")
        #expect(try installation.delivery("words")["status"] as? String == "failed")
    }

    @Test func aLostPublishAnswerIsReconciledIntoOnePost() throws {
        let installation = try MetaInstallation(api: .instagram, fault: { request, _ in
            request.path.hasSuffix("/media_publish") ? .dropAfterActing : nil
        })
        installation.image("one.jpg")
        installation.drop("lost.md", "---\nchannels: [meta]\nmedia:\n  - { file: media/one.jpg, alt: One }\n---\nLost answer.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.fake.posts.count == 1 && installation.fake.violations.isEmpty, "\(installation.fake.violations)")
        #expect(try installation.delivery("lost")["status"] as? String == "sent")
    }

    @Test func theDailyQuotaHoldsThePost() throws {
        let installation = try MetaInstallation(api: .instagram)
        installation.fake.setQuotaUsed(250)
        installation.image("q.jpg")
        installation.drop("full.md", "---\nchannels: [meta]\nmedia:\n  - { file: media/q.jpg, alt: Q }\n---\nToo many today.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.fake.posts.isEmpty)
        #expect(run.error.contains("Instagram publishing quota exhausted (250 of 250 posts in the last 24 h); held until"), "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/full.md"))
    }
}
