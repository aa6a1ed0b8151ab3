import CrierCore
import CrierTestSupport
import Foundation
import Testing

@Suite struct XAdapterTests {
    let now = Date(timeIntervalSince1970: 1_795_334_400)
    let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])

    func context(part: Int = 1, earlier: [RemoteReference?] = [], session: ChannelSession? = nil, oauth1: Bool = false,
                 media: [MediaItem] = []) -> DeliveryContext {
        let post = Post(id: "launch", file: "launch.md", channels: .named(["social"]), body: "Hello")
        var channel = ChannelConfig(name: "social", platform: .x, url: "https://api.x.com")
        var secrets: [String: Secret] = [:]
        if oauth1 {
            secrets = ["consumer_key": Secret("ck"), "consumer_secret": Secret("cs"), "access_token": Secret("at"),
                       "access_token_secret": Secret("ats")]
        } else {
            channel.settings["client_id"] = "cid"
            secrets["client_secret"] = Secret("csecret")
        }
        let stored = session ?? ChannelSession(values: ["access_token": "A1", "refresh_token": "R1"], expiresAt: now.addingTimeInterval(7200))
        return DeliveryContext(deliveryID: "d_1", post: post, channel: channel, secrets: secrets, part: part, partCount: max(part, 1),
                               rendered: RenderedPart(text: "Hello \"world\"", length: 13, limit: 280), scheduledAt: now,
                               earlierParts: earlier, media: media, session: stored)
    }

    func step(_ context: DeliveryContext, _ progress: DeliveryProgress = .start, media: InMemoryMediaSource = InMemoryMediaSource()) -> AdapterStep {
        XAdapter().nextStep(for: context, progress: progress, media: media, now: now)
    }

    func request(_ step: AdapterStep) throws -> StepRequest {
        guard case .request(let request) = step else { throw XTestError("expected a request, got \(step)") }
        return request
    }

    @Test func aTextPostIsOneCreateThatIsNotRepeatSafe() throws {
        let create = try request(step(context()))
        #expect(create.name == "create")
        #expect(!create.repeatSafe, "X has no idempotency key: a lost answer must become unknown")
        #expect(create.request.url == "https://api.x.com/2/tweets")
        #expect(create.request.headers.value(for: "Authorization") == "Bearer A1")
        #expect(String(decoding: create.request.body, as: UTF8.self) == #"{"text":"Hello \"world\""}"#)
    }

    @Test func laterPartsReplyToThePreviousPart() throws {
        let create = try request(step(context(part: 3, earlier: [RemoteReference(id: "1", url: nil), RemoteReference(id: "2", url: nil)])))
        #expect(String(decoding: create.request.body, as: UTF8.self) == #"{"reply":{"in_reply_to_tweet_id":"2"},"text":"Hello \"world\""}"#)
        guard case .fail(let reason) = step(context(part: 2, earlier: [nil])) else { Issue.record("a part without a parent id must fail"); return }
        #expect(reason.contains("nothing to reply to"))
    }

    @Test func aTokenAboutToExpireIsRefreshedFirstAsASessionStep() throws {
        let soon = ChannelSession(values: ["access_token": "A1", "refresh_token": "R1"], expiresAt: now.addingTimeInterval(120))
        let refresh = try request(step(context(session: soon)))
        #expect(refresh.name == "refresh")
        #expect(refresh.sessionStep)
        #expect(refresh.request.url == "https://api.x.com/2/oauth2/token")
        #expect(refresh.request.headers.value(for: "Authorization") == "Basic " + Data("cid:csecret".utf8).base64EncodedString())
        #expect(String(decoding: refresh.request.body, as: UTF8.self) == "refresh_token=R1&grant_type=refresh_token&client_id=cid")
        var refused = soon
        refused.expiresAt = now.addingTimeInterval(3600)
        refused.needsRenewal = true
        #expect(try request(step(context(session: refused))).name == "refresh", "a token refused as expired is refreshed too")
    }

    @Test func theRotatedPairIsStoredWithItsExpiryFromTheAnswersDate() throws {
        let body = Data(#"{"token_type":"bearer","expires_in":7200,"access_token":"A2","refresh_token":"R2","scope":"tweet.write offline.access"}"#.utf8)
        let response = TransportResponse(status: 200, headers: [HTTPHeader("Date", "Sun, 06 Nov 1994 08:49:37 GMT")], body: body)
        let refresh = try request(step(context(session: ChannelSession(values: ["access_token": "A1", "refresh_token": "R1"], needsRenewal: true))))
        guard case .renewed(let session) = XAdapter().read(response, to: refresh, for: context(), progress: .start) else {
            Issue.record("a token answer renews the session"); return
        }
        #expect(session.values["access_token"] == "A2")
        #expect(session.values["refresh_token"] == "R2")
        #expect(session.expiresAt == Date(timeIntervalSince1970: 784_111_777 + 7200))
        let refusedBody = Data(#"{"error":"invalid_request","error_description":"Value passed for the token was invalid."}"#.utf8)
        guard case .failed(let reason) = XAdapter().read(TransportResponse(status: 400, body: refusedBody), to: refresh, for: context(), progress: .start) else {
            Issue.record("a refused refresh fails with what to do"); return
        }
        #expect(reason.contains("run `crier auth social`"))
        #expect(!reason.contains("R1"))
    }

    @Test func withoutATokenTheOperatorIsToldToRunCrierAuth() {
        guard case .fail(let reason) = step(context(session: ChannelSession())) else { Issue.record("no session must fail"); return }
        #expect(reason == "channel 'social' has no X user token yet: run `crier auth social` and sign in as the account to post as")
        let noRefresh = ChannelSession(values: ["access_token": "A1"], needsRenewal: true)
        guard case .fail(let expired) = step(context(session: noRefresh)) else { Issue.record("an expired token without refresh must fail"); return }
        #expect(expired.contains("no refresh token"))
    }

    @Test func answersAreReadAsXMeansThem() throws {
        let create = try request(step(context()))
        let adapter = XAdapter()
        let created = TransportResponse(status: 201, body: Data(#"{"data":{"id":"1850","text":"Hello"}}"#.utf8))
        #expect(adapter.read(created, to: create, for: context(), progress: .start) == .sent(RemoteReference(id: "1850", url: "https://x.com/i/status/1850")))
        let duplicate = TransportResponse(status: 403, body: Data(#"{"detail":"You are not allowed to create a Tweet with duplicate content.","status":403,"title":"Forbidden"}"#.utf8))
        guard case .failed(let reason) = adapter.read(duplicate, to: create, for: context(), progress: .start) else { Issue.record("duplicate is permanent"); return }
        #expect(reason.contains("as duplicate content"))
        let unauthorized = TransportResponse(status: 401, body: Data(#"{"title":"Unauthorized","detail":"Unauthorized","status":401}"#.utf8))
        guard case .sessionExpired = adapter.read(unauthorized, to: create, for: context(), progress: .start) else { Issue.record("401 renews the OAuth 2 token"); return }
        guard case .failed(let oauth1) = adapter.read(unauthorized, to: create, for: context(oauth1: true), progress: .start) else {
            Issue.record("401 with OAuth 1.0a keys is permanent"); return
        }
        #expect(oauth1.contains("consumer_key"))
        let limited = TransportResponse(status: 429, headers: [HTTPHeader("x-rate-limit-remaining", "0"), HTTPHeader("x-rate-limit-reset", "784112677"),
                                                               HTTPHeader("Date", "Sun, 06 Nov 1994 08:49:37 GMT")])
        guard case .retry(_, let after) = adapter.read(limited, to: create, for: context(), progress: .start) else { Issue.record("429 is retried"); return }
        #expect(after == 900)
        let capped = TransportResponse(status: 429, body: Data(#"{"title":"UsageCapExceeded","detail":"Usage cap exceeded: Monthly product cap","type":"https://api.twitter.com/2/problems/usage-capped"}"#.utf8))
        guard case .failed(let cap) = adapter.read(capped, to: create, for: context(), progress: .start) else { Issue.record("a used-up cap is not retried"); return }
        #expect(cap.contains("usage cap"))
    }

    @Test func anXRateLimitPushesTheChannelsNextAllowedTime() {
        let response = TransportResponse(status: 200, headers: [HTTPHeader("x-rate-limit-remaining", "0"),
                                                                HTTPHeader("x-rate-limit-reset", String(Int(now.timeIntervalSince1970) + 600))])
        #expect(RateLimitSignal.wait(in: response, now: now) == 600)
    }

    @Test func imagesAreUploadedAndDescribedBeforeTheCreate() throws {
        let item = MediaItem(file: "media/a.png", alt: "A chart", byteCount: png.count, mimeType: "image/png")
        let media = InMemoryMediaSource(files: ["media/a.png": (png, "image/png")])
        let context = context(media: [item])
        let upload = try request(step(context, media: media))
        #expect(upload.name == "upload-media[1]")
        #expect(upload.repeatSafe)
        #expect(upload.request.url == "https://api.x.com/2/media/upload")
        #expect(upload.request.headers.value(for: "Content-Type")?.hasPrefix("multipart/form-data; boundary=crier-") == true)
        #expect(upload.request.body.range(of: png) != nil)
        #expect(upload.request.body.range(of: Data("name=\"media_category\"\r\n\r\ntweet_image".utf8)) != nil)
        let uploaded = XAdapter().read(TransportResponse(status: 200, body: Data(#"{"data":{"id":"77","media_key":"3_77"}}"#.utf8)),
                                       to: upload, for: context, progress: .start)
        guard case .advanced(let afterUpload) = uploaded else { Issue.record("upload advances"); return }
        #expect(afterUpload.values["media[1]"] == "77")
        let alt = try request(step(context, afterUpload, media: media))
        #expect(alt.name == "media-alt[1]")
        #expect(String(decoding: alt.request.body, as: UTF8.self) == #"{"id":"77","metadata":{"alt_text":{"text":"A chart"}}}"#)
        let create = try request(step(context, afterUpload.completing("media-alt[1]"), media: media))
        #expect(String(decoding: create.request.body, as: UTF8.self) == #"{"media":{"media_ids":["77"]},"text":"Hello \"world\""}"#)
    }

    @Test func aVideoGoesThroughTheChunkedUploadAndWaitsForProcessing() throws {
        let video = Data(repeating: 7, count: XChunkedUpload.chunkSize + 10)
        let item = MediaItem(file: "media/v.mp4", alt: "A clip", byteCount: video.count, mimeType: "video/mp4")
        let media = InMemoryMediaSource(files: ["media/v.mp4": (video, "video/mp4")])
        let context = context(media: [item])
        let adapter = XAdapter()
        func answer(_ json: String, to step: StepRequest, _ progress: DeliveryProgress) -> StepAnswer {
            adapter.read(TransportResponse(status: 200, body: Data(json.utf8)), to: step, for: context, progress: progress)
        }
        let initialize = try request(step(context, media: media))
        #expect(initialize.name == "media-init[1]" && initialize.repeatSafe)
        #expect(String(decoding: initialize.request.body, as: UTF8.self) == #"{"media_category":"tweet_video","media_type":"video/mp4","total_bytes":4194314}"#)
        guard case .advanced(var progress) = answer(#"{"data":{"id":"55"}}"#, to: initialize, .start) else { Issue.record("init advances"); return }
        var appended = 0
        for segment in 0...1 {
            let append = try request(step(context, progress, media: media))
            #expect(append.name == "media-append[1.\(segment)]")
            #expect(append.request.url == "https://api.x.com/2/media/upload/55/append")
            #expect(append.request.body.range(of: Data("name=\"segment_index\"\r\n\r\n\(segment)\r\n".utf8)) != nil)
            appended += append.request.body.count
            guard case .advanced(let next) = answer("{}", to: append, progress) else { Issue.record("append advances"); return }
            progress = next
        }
        #expect(appended > video.count)
        let finalize = try request(step(context, progress, media: media))
        #expect(finalize.name == "media-finalize[1]")
        guard case .advanced(let finalized) = answer(#"{"data":{"id":"55","processing_info":{"state":"pending","check_after_secs":1}}}"#, to: finalize, progress) else {
            Issue.record("finalize advances"); return
        }
        let status = try request(step(context, finalized, media: media))
        #expect(status.name == "media-status[1]")
        #expect(status.request.url == "https://api.x.com/2/media/upload?command=STATUS&media_id=55")
        #expect(answer(#"{"data":{"processing_info":{"state":"in_progress","check_after_secs":3}}}"#, to: status, finalized)
                == .retry("X is still processing the media", after: 3))
        guard case .failed = answer(#"{"data":{"processing_info":{"state":"failed","error":{"message":"InvalidMedia"}}}}"#, to: status, finalized) else {
            Issue.record("failed processing is permanent"); return
        }
        guard case .advanced(let done) = answer(#"{"data":{"processing_info":{"state":"succeeded"}}}"#, to: status, finalized) else {
            Issue.record("succeeded advances"); return
        }
        #expect(done.values["media[1]"] == "55")
        #expect(try request(step(context, done, media: media)).name == "media-alt[1]")
    }

    @Test func oauth1RequestsAreSignedWithANonceThatDiffersPerAttempt() throws {
        let first = try request(step(context(oauth1: true)))
        let header = try #require(first.request.headers.value(for: "Authorization"))
        #expect(header.hasPrefix("OAuth oauth_consumer_key=\"ck\", oauth_nonce=\""))
        #expect(header.contains("oauth_token=\"at\""))
        var retried = DeliveryProgress.start
        retried.stepAttempts = 1
        let second = try request(step(context(oauth1: true), retried))
        #expect(second.request.headers.value(for: "Authorization") != header)
    }

    @Test func previewsBuildRequestsFromPlaceholders() throws {
        var placeholder = context(session: .placeholder)
        placeholder.secrets = ["client_secret": .placeholder]
        let create = try request(step(placeholder))
        #expect(create.request.headers.value(for: "Authorization") == "Bearer \(ChannelSession.placeholderValue)")
    }

    @Test func authorizationURLAsksForPKCEAndOfflineAccess() {
        let channel = context().channel
        let url = XAdapter().authorizationURL(for: ProbeContext(channel: channel, secrets: [:]), redirectURI: "http://127.0.0.1:8765/callback",
                                              state: "st", codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(url == "https://x.com/i/oauth2/authorize?response_type=code&client_id=cid&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&scope=tweet.read%20tweet.write%20users.read%20media.write%20offline.access&state=st&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256")
    }
}

struct XTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
