import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The real `crier` binary against `LinkedInFakeServer`: reserved characters that would cut a post
/// short, the duplicate answer read as sent, images, the version header, and a dead token.
@Suite(.serialized) struct LinkedInEndToEndTests {
    func installation(_ fake: LinkedInFakeServer, version: String? = nil) throws -> PlatformInstallation {
        let installation = try PlatformInstallation(channel: "li", keys: """
                platform: linkedin
                url: \(fake.url)
                author: \(LinkedInFakeServer.author)
                client_id: crier-linkedin-app
                client_secret: {{li-secret}}\(version.map { "\n    version: \"\($0)\"" } ?? "")
            """, secrets: ["li-secret": "li-client-secret"])
        try installation.seedSession(ChannelSession(values: ["access_token": fake.token]), channel: "li")
        return installation
    }

    @Test func reservedCharactersAreEscapedSoNothingIsCutOff() throws {
        let fake = try LinkedInFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        installation.post("reserved.md", "---\nchannels: [li]\n---\nEvery reserved one: ( ) [ ] { } < > # * _ ~ @ | \\ (and a closing remark).\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let post = try #require(fake.posts.first, "\(run.error)")
        #expect(post.visibleText == "Every reserved one: ( ) [ ] { } < > # * _ ~ @ | \\ (and a closing remark).", "\(post.commentary)")
        #expect(post.version == LinkedInAdapter.defaultVersion)
        let receipt = try installation.receipt("reserved")
        #expect(receipt.first?["remote_id"] as? String == post.urn)
        #expect(receipt.first?["remote_url"] as? String == "https://www.linkedin.com/feed/update/\(post.urn)/")
    }

    @Test func aDuplicateAnswerIsSentWithTheExistingPost() throws {
        let fake = try LinkedInFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        let existing = fake.seedPost(commentary: "Already on LinkedIn.")
        installation.post("again.md", "---\nchannels: [li]\n---\nAlready on LinkedIn.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.posts.count == 1, "no second post")
        let receipt = try installation.receipt("again")
        #expect(receipt.first?["status"] as? String == "sent")
        #expect(receipt.first?["remote_id"] as? String == existing)
    }

    @Test func imagesAreUploadedAndAttachedWithAltTextUnderAChosenVersion() throws {
        let fake = try LinkedInFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake, version: "202601")
        installation.writePNG("media/a.png")
        installation.writePNG("media/b.png")
        installation.post("pics.md", """
            ---
            channels: [li]
            media:
              - file: media/a.png
                alt: First picture
              - file: media/b.png
                alt: Second picture
            ---
            Two pictures.
            """)
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let post = try #require(fake.posts.first, "\(run.error)")
        #expect(post.images.count == 2)
        #expect(post.altTexts == ["First picture", "Second picture"])
        #expect(post.version == "202601")
        #expect(fake.uploadedImages.values.allSatisfy { $0 > 0 })
    }

    @Test func aRevokedTokenFailsTheDeliveryWithWhatToDo() throws {
        let fake = try LinkedInFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        fake.expireToken()
        installation.post("dead.md", "---\nchannels: [li]\n---\nNobody will see this.\n")
        _ = try installation.crier(["run", "--once"])
        let receipt = try String(contentsOfFile: installation.queue + "/failed/dead.receipt.json", encoding: .utf8)
        #expect(receipt.contains("crier auth li --token NEW_TOKEN"), "\(receipt)")
        #expect(!receipt.contains(fake.token))
        #expect(fake.posts.isEmpty)
    }

    @Test func aSunsetVersionIsAClearError() throws {
        let fake = try LinkedInFakeServer(sunset: ["202401"])
        defer { fake.stop() }
        let installation = try installation(fake, version: "202401")
        installation.post("old.md", "---\nchannels: [li]\n---\nOld version.\n")
        _ = try installation.crier(["run", "--once"])
        let receipt = try String(contentsOfFile: installation.queue + "/failed/old.receipt.json", encoding: .utf8)
        #expect(receipt.contains("set the channel's `version:`"), "\(receipt)")
    }

    /// `crier auth li --token T` stores a pasted token (never printed) that the next run posts with.
    @Test func aPastedTokenFromCrierAuthIsUsed() throws {
        let fake = try LinkedInFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        fake.expireToken()
        let renewed = fake.renewToken()
        let auth = try installation.crier(["auth", "li", "--token", renewed])
        #expect(auth.status == 0, "\(auth.error)")
        #expect(auth.output.contains("channel li: token stored"), "\(auth.output)")
        #expect(!auth.output.contains(renewed) && !auth.error.contains(renewed))
        installation.post("pasted.md", "---\nchannels: [li]\n---\nWith the pasted token.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.posts.map(\.visibleText) == ["With the pasted token."])
    }

    @Test func checkOnlineSaysWhoTheTokenIsFor() throws {
        let fake = try LinkedInFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        let check = try installation.crier(["check", "--online"])
        #expect(check.output.contains("ok as Crier Bot"), "\(check.output) \(check.error)")
        fake.expireToken()
        let expired = try installation.crier(["check", "--online"])
        #expect(expired.output.contains("run `crier auth li --token NEW_TOKEN`"), "\(expired.output) \(expired.error)")
    }
}
