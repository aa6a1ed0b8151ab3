import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// Facebook Pages through the real `crier` binary against a strict loopback fake of the Pages API.
@Suite(.serialized) struct FacebookEndToEndTests {
    @Test func aTextPostWithALinkIsOneFeedPost() throws {
        let installation = try MetaInstallation(api: .facebook)
        installation.drop("text.md", "---\nchannels: [meta]\nlink: https://example.com/v2\n---\nWe shipped v2.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let fake = installation.fake
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.posts.count == 1)
        #expect(fake.posts.first?.text?.hasPrefix("We shipped v2.") == true && fake.posts.first?.link == "https://example.com/v2", "\(fake.posts)")
        let delivery = try installation.delivery("text")
        #expect(delivery["remote_id"] as? String == fake.posts.first?.id)
        #expect((delivery["remote_url"] as? String)?.contains("/posts/") == true)
        let check = try installation.crier(["check", "--online"])
        #expect(check.output.contains("ok as Page \"Crier Test Page\""), "\(check.output) \(check.error)")
    }

    @Test func photosAreStagedUnpublishedThenAttachedToOnePost() throws {
        let installation = try MetaInstallation(api: .facebook)
        installation.image("a.jpg")
        installation.image("b.jpg")
        installation.drop("photos.md", "---\nchannels: [meta]\nmedia:\n  - { file: media/a.jpg, alt: Alpha }\n  - { file: media/b.jpg, alt: Beta }\n---\nTwo photos.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let fake = installation.fake
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.posts.count == 1)
        #expect(fake.posts.first?.media.count == 2 && fake.posts.first?.altTexts == ["Alpha", "Beta"])
        #expect(fake.requests.filter { $0.hasSuffix("/photos") }.count == 2)
    }

    @Test func aLostFeedAnswerIsHeldAsUnknownNeverPostedTwice() throws {
        let installation = try MetaInstallation(api: .facebook, fault: { request, _ in
            request.path.hasSuffix("/feed") ? .dropAfterActing : nil
        })
        installation.drop("held.md", "---\nchannels: [meta]\n---\nDid it go out?\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.fake.posts.count == 1)
        #expect(installation.fake.requests.filter { $0.hasSuffix("/feed") }.count == 1, "the feed call is never repeated blindly")
        let status = try installation.crier(["status"])
        #expect(status.output.contains("crier resolve held --channel meta --sent"), "\(status.output)")
    }

    @Test func anExpiredPageTokenIsAClearErrorWhileOthersKeepGoing() throws {
        let installation = try MetaInstallation(api: .facebook)
        installation.fake.expireToken()
        installation.drop("expired.md", "---\nchannels: [meta, ops]\n---\nPage token expired.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let error = try installation.delivery("expired")["error"] as? String ?? ""
        #expect(error.contains("channel 'meta': Facebook refused the access token: it has expired") && error.contains("Page access token"),
                "\(error)")
        #expect(!error.contains(installation.fake.currentToken))
        #expect(try installation.delivery("expired", channel: "ops")["status"] as? String == "sent")
    }
}
