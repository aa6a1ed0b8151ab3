import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// The real `crier` binary against `XFakeServer`: threads with an image, a lost answer to a create,
/// and the OAuth 2 refresh token rotating across `kill -9`.
@Suite(.serialized) struct XEndToEndTests {
    static let paragraph = "Crier now posts to X natively, with threads, images and alt text, tokens that refresh themselves, and never a double post when an answer is lost on the way back."

    func installation(_ fake: XFakeServer, oauth1: Bool = false, extra: String = "") throws -> PlatformInstallation {
        if oauth1 {
            return try PlatformInstallation(channel: "social", keys: """
                    platform: x
                    url: \(fake.url)
                    consumer_key: {{ck}}
                    consumer_secret: {{cs}}
                    access_token: {{at}}
                    access_token_secret: {{ats}}
                    limits: { per_day: 1000 }
                """, secrets: ["ck": XFakeServer.consumerKey, "cs": XFakeServer.consumerSecret, "at": XFakeServer.accessToken,
                               "ats": XFakeServer.accessTokenSecret])
        }
        return try PlatformInstallation(channel: "social", keys: """
                platform: x
                url: \(fake.url)
                client_id: \(XFakeServer.clientID)
                client_secret: {{x-client-secret}}
                limits: { per_day: 1000 }\(extra)
            """, secrets: ["x-client-secret": XFakeServer.clientSecret])
    }

    /// Signs in as `crier auth` would: the fake's current pair, expiring in `expiresIn` seconds.
    func signIn(_ installation: PlatformInstallation, _ fake: XFakeServer, expiresIn: TimeInterval = 7200) throws {
        let pair = fake.issueTokens()
        try installation.seedSession(ChannelSession(values: ["access_token": pair.access, "refresh_token": pair.refresh],
                                                    expiresAt: Date().addingTimeInterval(expiresIn)), channel: "social")
    }

    @Test func aThreadOfThreeWithAnImageGoesOutInOrderOnce() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        try signIn(installation, fake)
        installation.writePNG("media/chart.png")
        installation.post("launch.md", """
            ---
            channels: [social]
            long: thread
            media:
              - file: media/chart.png
                alt: A chart of posts per day
            ---
            \(Self.paragraph)

            \(Self.paragraph.uppercased())

            \(Self.paragraph.lowercased())
            """)
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let posts = fake.posts
        try #require(posts.count == 3, "\(posts) \(run.error)")
        #expect(posts[0].replyTo == nil)
        #expect(posts[1].replyTo == posts[0].id)
        #expect(posts[2].replyTo == posts[1].id)
        #expect(posts[0].mediaIDs.count == 1)
        #expect(fake.media.map(\.alt) == ["A chart of posts per day"])
        #expect(posts[0].text.hasPrefix("Crier now posts"))
        let receipt = try installation.receipt("launch")
        #expect(receipt.compactMap { $0["remote_id"] as? String } == posts.map(\.id))
        #expect(receipt.first?["remote_url"] as? String == "https://x.com/i/status/\(posts[0].id)")
        #expect(!run.error.contains(XFakeServer.clientSecret) && !run.error.contains("access-1"), "no secret in the log")
    }

    @Test func aVideoIsUploadedInChunksAndPostedOnceProcessed() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        fake.setProcessingPolls(2)
        let installation = try installation(fake)
        try signIn(installation, fake)
        let header: [UInt8] = [0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isommp41".utf8)
        let size = XChunkedUpload.chunkSize + 4096
        FileManager.default.createFile(atPath: installation.queue + "/clip.mp4", contents: Data(header + [UInt8](repeating: 0, count: size - header.count)))
        installation.post("video.md", "---\nchannels: [social]\nmedia:\n  - file: clip.mp4\n    alt: A short clip\n---\nA video.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let post = try #require(fake.posts.first, "\(run.error)")
        #expect(post.mediaIDs.count == 1)
        #expect(fake.media.map(\.bytes) == [size])
        #expect(fake.media.map(\.alt) == ["A short clip"])
        #expect(fake.requests.filter { $0.hasSuffix("/append") }.count == 2)
        #expect(fake.requests.filter { $0 == "GET /2/media/upload" }.count == 3, "\(fake.requests)")
    }

    /// A 429 with `x-rate-limit-remaining: 0` holds the whole channel until `x-rate-limit-reset`:
    /// neither the refused post nor the next one is tried before then.
    @Test func aRateLimitHoldsTheChannelUntilTheReset() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        try signIn(installation, fake)
        let until = fake.rateLimit(for: 3)
        installation.post("first.md", "---\nchannels: [social]\n---\nFirst after the limit.\n")
        installation.post("second.md", "---\nchannels: [social]\n---\nSecond after the limit.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.posts.count == 2)
        #expect(fake.refusedForRate == 1, "one refusal, then the channel waited: \(fake.requests)")
        #expect(fake.postedAt.allSatisfy { $0 >= until.addingTimeInterval(-0.5) }, "\(fake.postedAt) before \(until)")
    }

    @Test func oauth1SignedPostsAreAccepted() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake, oauth1: true)
        installation.post("hello.md", "---\nchannels: [social]\n---\nSigned the OAuth 1.0a way.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        #expect(fake.posts.map(\.text) == ["Signed the OAuth 1.0a way."])
        #expect(!run.error.contains(XFakeServer.consumerSecret) && !run.error.contains(XFakeServer.accessTokenSecret))
        let check = try installation.crier(["check", "--online"])
        #expect(check.output.contains("ok as @crierbot (OAuth 1.0a; these tokens do not expire)"), "\(check.output) \(check.error)")
    }

    @Test func aLostAnswerToTheCreateIsHeldAsUnknownAndNeverSentAgain() throws {
        let fake = try XFakeServer { request, _ in
            request.method == "POST" && request.path == "/2/tweets" ? .dropAfterActing : nil
        }
        defer { fake.stop() }
        let installation = try installation(fake)
        try signIn(installation, fake)
        installation.post("lost.md", "---\nchannels: [social]\n---\nThe answer to this one is lost.\n")
        _ = try installation.crier(["run", "--once"])
        #expect(fake.posts.count == 1, "posted once")
        let status = try installation.crier(["status"])
        #expect(status.output.contains("lost → social (part 1)"), "\(status.output)")
        #expect(status.output.contains("crier resolve lost --channel social"))
        _ = try installation.crier(["run", "--once"])
        #expect(fake.posts.count == 1, "never sent again blindly")
        #expect(fake.requests.filter { $0 == "POST /2/tweets" }.count == 1, "\(fake.requests)")
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/lost.md"), "held in the queue for the operator")
    }

    @Test func aDuplicateIsAPermanentFailureNamedAsSuch() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake, extra: "\n    duplicates: { policy: allow }")
        try signIn(installation, fake)
        installation.post("one.md", "---\nchannels: [social]\n---\nSame words twice.\n")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        installation.post("two.md", "---\nchannels: [social]\n---\nSame words twice.\n")
        _ = try installation.crier(["run", "--once"])
        let receipt = try Data(contentsOf: URL(fileURLWithPath: installation.queue + "/failed/two.receipt.json"))
        #expect(String(decoding: receipt, as: UTF8.self).contains("as duplicate content"))
        #expect(fake.posts.count == 1)
    }

    /// The access token is refused (expired early): crier refreshes once — the rotated pair is stored
    /// before it is used — and posts; the used refresh token is never presented again.
    @Test func anExpiredTokenIsRefreshedWithTheRotatingRefreshToken() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        try signIn(installation, fake)
        fake.expireAccessToken()
        installation.post("a.md", "---\nchannels: [social]\n---\nAfter a refresh.\n")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(fake.refreshes == 1)
        installation.post("b.md", "---\nchannels: [social]\n---\nWith the stored new token.\n")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(fake.refreshes == 1, "the stored pair is used, no second refresh")
        #expect(fake.posts.map(\.text) == ["After a refresh.", "With the stored new token."])
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        let stored = try #require(try installation.storedSession("social"))
        #expect(stored.values["refresh_token"] == fake.currentRefreshToken)
        #expect(stored.expiresAt.map { $0 > Date().addingTimeInterval(3600) } == true)
    }

    /// kill -9 while the refresh request is out (it never reached X): the restart refreshes with the
    /// same refresh token, which is still the valid one, and posts — no new `crier auth`.
    @Test func killedBeforeTheRefreshReachedXTheChannelKeepsWorking() throws {
        let stalled = StallFirst(path: "/2/oauth2/token")
        let fake = try XFakeServer { request, _ in stalled.fault(for: request) }
        defer { fake.stop() }
        let installation = try installation(fake)
        try signIn(installation, fake, expiresIn: 60)  // within the refresh margin: refreshed first
        installation.post("k.md", "---\nchannels: [social]\n---\nAfter a crash before the refresh.\n")
        let daemon = try installation.daemon()
        #expect(installation.wait { fake.requests.contains("POST /2/oauth2/token") }, "\(daemon.standardError)")
        daemon.kill(SIGKILL)
        daemon.waitForExit(timeout: 10)
        #expect(fake.refreshes == 0)
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.refreshes == 1)
        #expect(fake.posts.map(\.text) == ["After a crash before the refresh."])
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    /// kill -9 after the rotated pair was written (while the image upload is out): the restart uses
    /// the stored new pair — the old refresh token is dead at X — and posts without refreshing again.
    @Test func killedAfterTheRotatedPairWasWrittenTheChannelKeepsWorking() throws {
        let stalled = StallFirst(path: "/2/media/upload")
        let fake = try XFakeServer { request, _ in stalled.fault(for: request) }
        defer { fake.stop() }
        let installation = try installation(fake)
        try signIn(installation, fake, expiresIn: 60)
        installation.writePNG("media/a.png")
        installation.post("k.md", "---\nchannels: [social]\nmedia:\n  - file: media/a.png\n    alt: An image\n---\nAfter a crash after the refresh.\n")
        let daemon = try installation.daemon()
        #expect(installation.wait { fake.requests.contains("POST /2/media/upload") }, "\(daemon.standardError)")
        daemon.kill(SIGKILL)
        daemon.waitForExit(timeout: 10)
        #expect(fake.refreshes == 1)
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.refreshes == 1, "no second refresh: the new pair was durable")
        #expect(fake.posts.map(\.text) == ["After a crash after the refresh."])
        #expect(fake.violations.isEmpty, "\(fake.violations)")
    }

    @Test func checkOnlineSaysWhoAndWhenTheTokenExpires() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        try signIn(installation, fake)
        let check = try installation.crier(["check", "--online"])
        #expect(check.output.contains("ok as @crierbot; token expires"), "\(check.output) \(check.error)")
        #expect(check.output.contains("(refreshed automatically)"))
        fake.expireAccessToken()
        let refreshed = try installation.crier(["check", "--online"])
        #expect(refreshed.output.contains("ok as @crierbot; token expires"), "\(refreshed.output) \(refreshed.error)")
        #expect(fake.refreshes == 1, "a refused token is refreshed once by the check")
        #expect(try installation.storedSession("social")?.values["refresh_token"] == fake.currentRefreshToken, "and the new pair is kept")
    }

    /// `crier auth social` end to end: the address it prints carries the PKCE challenge; the browser's
    /// redirect to the loopback listener brings the code; the fake checks the verifier; the stored
    /// session posts.
    @Test func crierAuthSignsInWithPKCEAndTheChannelPosts() throws {
        let fake = try XFakeServer()
        defer { fake.stop() }
        let installation = try installation(fake)
        let port = UInt16.random(in: 20_000...40_000)
        let auth = CrierProcess(["auth", "social", "--port", String(port), "--timeout", "60", "--config", installation.configPath])
        let input = Pipe()
        auth.process.standardInput = input
        try auth.start()
        defer { auth.kill(SIGKILL) }
        #expect(auth.waitForLog("code_challenge=", timeout: 30), "\(auth.standardError)")
        let printed = auth.standardError
        let address = try #require(printed.split(whereSeparator: \.isWhitespace).first { $0.contains("/i/oauth2/authorize?") })
        #expect(address.hasPrefix("\(fake.url)/i/oauth2/authorize?response_type=code&client_id=\(XFakeServer.clientID)"))
        #expect(address.contains("offline.access") && address.contains("code_challenge_method=S256"))
        var fields: [String: String] = [:]
        for pair in address.split(separator: "?", maxSplits: 1)[1].split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1).map(String.init)
            fields[halves[0]] = halves.count > 1 ? halves[1].removingPercentEncoding : ""
        }
        let code = fake.issueCode(challenge: try #require(fields["code_challenge"]))
        let browser = try RawHTTPClient(port: port)
        try browser.send("GET /callback?state=\(try #require(fields["state"]))&code=\(code) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        _ = try? browser.readUntilClosed()
        let output = auth.readOutput()
        #expect(auth.waitForExit(timeout: 30))
        #expect(auth.exitStatus == 0, "\(auth.standardError)")
        #expect(output.contains("channel social: token stored; granted: \(XAdapter.scopes)"), "\(output)")
        #expect(!output.contains("access-1") && !auth.standardError.contains("access-1"), "no token value printed")
        #expect(fake.violations.isEmpty, "\(fake.violations)")
        installation.post("authed.md", "---\nchannels: [social]\n---\nPosted after crier auth.\n")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        #expect(fake.posts.map(\.text) == ["Posted after crier auth."])
    }
}
