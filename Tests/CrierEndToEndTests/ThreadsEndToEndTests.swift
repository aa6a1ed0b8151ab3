import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// Threads through the real `crier` binary against a strict loopback fake of the Threads API and a
/// loopback media host: containers that stay IN_PROGRESS for several polls, a thread as replies, a
/// lost publish answer reconciled by the container's status, quota, tokens, media by URL.
@Suite(.serialized) struct ThreadsEndToEndTests {
    /// Three paragraphs of about 375 characters: no two fit in one 500-character post.
    static let longText = (1...3).map { part in
        (1...5).map { "Part \(part), sentence \($0) of a thread about containers that take a while." }.joined(separator: " ")
    }.joined(separator: "\n\n")

    @Test func aThreadOfThreeWithAnImageIsPostedAsRepliesExactlyOnce() throws {
        let installation = try MetaInstallation(api: .threads)
        installation.image("cat.jpg")
        installation.drop("thread.md", "---\nchannels: [meta, ops]\nmedia:\n  - file: media/cat.jpg\n    alt: A cat on a keyboard\n---\n\(Self.longText)\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")

        let fake = installation.fake
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.posts.count == 3, "\(fake.posts)")
        guard fake.posts.count == 3 else { return }
        #expect(fake.posts[0].replyTo == nil)
        #expect(fake.posts[1].replyTo == fake.posts[0].id && fake.posts[2].replyTo == fake.posts[1].id)
        #expect(fake.posts[0].media == ["\(installation.mediaHost.url)/media/cat.jpg"] && fake.posts[0].altTexts == ["A cat on a keyboard"])
        #expect(fake.posts[1].media.isEmpty, "the image goes with the first part")
        #expect(fake.posts[0].text?.hasPrefix("Part 1, sentence 1") == true)
        #expect(installation.mediaHost.requests.contains("HEAD /media/cat.jpg"), "the media URL is checked before the container")
        let statusReads = fake.requests.filter { $0.hasPrefix("GET /v1.0/1789") }.count
        #expect(statusReads >= 9, "each container was polled through IN_PROGRESS to FINISHED (\(statusReads) reads)")
        #expect(fake.requests.filter { $0 == "POST /v1.0/\(fake.userID)/threads_publish" }.count == 3)

        let receipt = try installation.receipt("thread")
        #expect(receipt.directory == "sent")
        let first = try installation.delivery("thread")
        #expect(first["remote_id"] as? String == fake.posts[0].id)
        #expect((first["remote_url"] as? String)?.hasSuffix("/post/\(fake.posts[0].id)") == true)
        #expect(installation.sink.inbox.arrivals.count == 1, "the webhook channel (no length limit) got the post in one part")
    }

    @Test func aLostPublishAnswerIsReconciledByTheContainerStatusIntoOnePost() throws {
        let installation = try MetaInstallation(api: .threads, fault: { request, _ in
            request.path.hasSuffix("/threads_publish") ? .dropAfterActing : nil
        })
        installation.drop("once.md", "---\nchannels: [meta]\n---\nPublished, but the answer never came back.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let fake = installation.fake
        #expect(fake.posts.count == 1, "\(fake.posts)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.requests.filter { $0.hasSuffix("/threads_publish") }.count == 1, "never published again: \(fake.requests)")
        let publish = try #require(fake.requests.firstIndex { $0.hasSuffix("/threads_publish") })
        #expect(fake.requests[(publish + 1)...].contains { $0.hasPrefix("GET /v1.0/1789") }, "the container's status was read after the lost answer")
        let delivery = try installation.delivery("once")
        #expect(delivery["status"] as? String == "sent")
        #expect(delivery["remote_id"] as? String == fake.posts.first?.id, "the reconcile found the post by its text")
    }

    @Test func killedWhilePublishingTheRestartReconcilesInsteadOfPostingAgain() throws {
        let installation = try MetaInstallation(api: .threads, fault: { request, _ in
            request.path.hasSuffix("/threads_publish") ? .delayAfterActing(30) : nil
        })
        installation.drop("crash.md", "---\nchannels: [meta]\n---\nPublished while crier was killed.\n")
        let daemon = try installation.daemon()
        let deadline = Date().addingTimeInterval(20)
        while installation.fake.posts.isEmpty, Date() < deadline { usleep(20_000) }
        #expect(installation.fake.posts.count == 1, "the publish reached the platform")
        daemon.kill(SIGKILL)
        _ = daemon.waitForExit(timeout: 10)

        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let fake = installation.fake
        #expect(fake.posts.count == 1, "never posted twice: \(fake.requests)")
        #expect(fake.requests.filter { $0.hasSuffix("/threads_publish") }.count == 1)
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(try installation.delivery("crash")["remote_id"] as? String == fake.posts.first?.id)
    }

    @Test func anExpiredContainerIsMadeAgainAndAFailedOneFailsWithMetasReason() throws {
        let expiring = try MetaInstallation(api: .threads, expiringContainers: 1)
        expiring.drop("late.md", "---\nchannels: [meta]\n---\nThe first container expired.\n")
        #expect(try expiring.crier(["run", "--once"]).status == 0)
        #expect(expiring.fake.posts.count == 1 && expiring.fake.containerCount == 2 && expiring.fake.violations.isEmpty)

        let failing = try MetaInstallation(api: .threads, containerError: "UNKNOWN")
        failing.drop("broken.md", "---\nchannels: [meta, ops]\n---\nMeta could not process it.\n")
        #expect(try failing.crier(["run", "--once"]).status == 0)
        let error = try failing.delivery("broken")["error"] as? String ?? ""
        #expect(error.contains("channel 'meta': Threads could not process container") && error.contains("UNKNOWN"), "\(error)")
        #expect(failing.fake.posts.isEmpty && failing.fake.requests.filter { $0.hasSuffix("/threads_publish") }.isEmpty)
        #expect(try failing.delivery("broken", channel: "ops")["status"] as? String == "sent")
    }

    @Test func theMediaNotFoundRaceIsRetried() throws {
        let installation = try MetaInstallation(api: .threads, mediaNotFoundRaces: 2)
        installation.drop("race.md", "---\nchannels: [meta]\n---\nThe container was not visible yet.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.fake.posts.count == 1)
        #expect(try installation.delivery("race")["status"] as? String == "sent")
    }

    @Test func anExpiredTokenFailsWithTheFixWhileOtherChannelsKeepGoing() throws {
        let installation = try MetaInstallation(api: .threads)
        installation.fake.expireToken()
        installation.drop("stale.md", "---\nchannels: [meta, ops]\n---\nThe token expired on the server.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let delivery = try installation.delivery("stale")
        #expect(delivery["status"] as? String == "failed")
        let error = delivery["error"] as? String ?? ""
        #expect(error.contains("channel 'meta': Threads refused the access token: it has expired"), "\(error)")
        #expect(error.contains("crier auth meta --token TOKEN") && error.contains("crier retry stale --channel meta"))
        #expect(!error.contains(installation.fake.currentToken) && !run.error.contains(installation.fake.currentToken),
                "the token never appears in an error or a log line")
        #expect(try installation.delivery("stale", channel: "ops")["status"] as? String == "sent")
        #expect(installation.fake.posts.isEmpty)
    }

    @Test func aRevokedTokenNamesTheRevocation() throws {
        let installation = try MetaInstallation(api: .threads)
        installation.fake.revokeToken()
        installation.drop("revoked.md", "---\nchannels: [meta]\n---\nThe user removed the app.\n")
        _ = try installation.crier(["run", "--once"])
        let error = try installation.delivery("revoked")["error"] as? String ?? ""
        #expect(error.contains("revoked") && error.contains("crier auth meta --token"), "\(error)")
    }

    @Test func anExhaustedQuotaHoldsThePostWithTheTimeItIsTriedAgain() throws {
        let installation = try MetaInstallation(api: .threads)
        installation.fake.setQuotaUsed(250)
        installation.drop("quota.md", "---\nchannels: [meta, ops]\n---\nOne post too many today.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(installation.fake.posts.isEmpty)
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/quota.md"), "the post waits in the queue")
        #expect(run.error.contains("Threads publishing quota exhausted (250 of 250 posts in the last 24 h); held until"), "\(run.error)")
        #expect(installation.sink.inbox.arrivals.count == 1, "the other channel was not held")
        let status = try installation.crier(["status"])
        #expect(status.output.contains("meta"), "\(status.output)")
    }

    @Test func aTokenDueForRefreshIsRefreshedOnceAndKept() throws {
        // A token 40 days old with 20 left: refreshed ahead of expiry before the posts go.
        let installation = try MetaInstallation(api: .threads, token: (issuedDaysAgo: 40, expiresInDays: 20))
        let fake = installation.fake
        let oldToken = fake.currentToken
        installation.drop("a.md", "---\nchannels: [meta]\n---\nFirst post after the refresh.\n")
        installation.drop("b.md", "---\nchannels: [meta]\n---\nSecond post, same refreshed token.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.refreshes == 1, "one refresh for the channel, not one per post")
        #expect(fake.currentToken != oldToken)
        #expect(fake.posts.count == 2 && fake.violations.isEmpty, "\(fake.violations)")
        #expect(!run.error.contains(fake.currentToken) && !run.error.contains(oldToken), "tokens never reach the log")
        let check = try installation.crier(["check", "--online"])
        #expect(check.output.contains("ok as @crierbot; 2 of 250 posts used in the last 24 h; token expires"), "\(check.output) \(check.error)")
        #expect(fake.refreshes == 1, "the refreshed token was kept in the journal")
    }

    @Test func crierAuthExchangesAPastedTokenForALongLivedOneThatPosts() throws {
        let installation = try MetaInstallation(api: .threads, token: nil)
        let fake = installation.fake
        fake.issueShortLivedToken("EAAshortlived9")
        let refused = try installation.crier(["auth", "meta", "--token", "EAAnotissued"])
        #expect(refused.status == 1)
        #expect(refused.error.contains("Threads did not exchange the token") && refused.error.contains("nothing was stored"), "\(refused.error)")
        #expect(!refused.error.contains("EAAnotissued") && !refused.error.contains(fake.appSecret))

        let auth = try installation.crier(["auth", "meta", "--token", "EAAshortlived9"])
        #expect(auth.status == 0, "\(auth.error)")
        #expect(fake.exchanges == 1)
        #expect(auth.output.contains("channel meta: token stored; expires"), "\(auth.output)")
        #expect(!auth.output.contains(fake.currentToken) && !auth.output.contains("EAAshortlived9"), "token values are never printed")
        let status = try installation.crier(["status"])
        #expect(status.output.contains("token     meta: expires") && status.output.contains("renewed automatically"), "\(status.output)")
        #expect(!status.output.contains(fake.currentToken))

        installation.drop("after-auth.md", "---\nchannels: [meta]\n---\nPosted with the exchanged token.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.posts.count == 1 && fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.refreshes == 0, "a fresh 60-day token is not refreshed")
    }

    @Test func thePreviewShowsTheRequestsWithoutSecretsOrTokens() throws {
        let installation = try MetaInstallation(api: .threads)
        installation.image("cat.jpg")
        installation.drop("look.md", "---\nchannels: [meta]\nmedia:\n  - { file: media/cat.jpg, alt: A cat }\n---\nWhat would be sent?\n")
        let preview = try installation.crier(["preview", "--requests"])
        #expect(preview.status == 0, "\(preview.output) \(preview.error)")
        #expect(preview.output.contains("/threads_publishing_limit"), "the first request is the quota: \(preview.output)")
        #expect(preview.output.contains("Authorization: Bearer <redacted>"))
        #expect(!preview.output.contains(installation.fake.currentToken) && !preview.output.contains(installation.fake.appSecret))
        #expect(installation.fake.requests.isEmpty, "the preview sends nothing")
    }

    @Test func mediaWithoutABaseURLAreAPreviewErrorNamingTheChannel() throws {
        let installation = try MetaInstallation(api: .threads, mediaBase: false)
        installation.image("cat.jpg")
        installation.drop("nobase.md", "---\nchannels: [meta, ops]\nmedia:\n  - file: media/cat.jpg\n    alt: A cat\n---\nNo public URL for this.\n")
        let preview = try installation.crier(["preview", "--json"])
        #expect(preview.status == 1, "\(preview.output)")
        #expect(preview.output.contains("channel 'meta': Threads fetches media from a public URL, and the channel has no `media_base_url`"),
                "\(preview.output)")
    }

    @Test func anUnreachableMediaURLFailsClearlyBeforeAnyContainer() throws {
        let installation = try MetaInstallation(api: .threads)
        installation.image("missing.jpg", publish: false)
        installation.drop("unsynced.md", "---\nchannels: [meta, ops]\nmedia:\n  - file: media/missing.jpg\n    alt: Not synced\n---\nThe media host has not got it.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let error = try installation.delivery("unsynced")["error"] as? String ?? ""
        #expect(error.contains("channel 'meta': media/missing.jpg is not reachable at \(installation.mediaHost.url)/media/missing.jpg (HTTP 404)"),
                "\(error)")
        #expect(installation.fake.containerCount == 0, "no container was made for media Meta could not fetch")
        #expect(try installation.delivery("unsynced", channel: "ops")["status"] as? String == "sent")
    }
}
