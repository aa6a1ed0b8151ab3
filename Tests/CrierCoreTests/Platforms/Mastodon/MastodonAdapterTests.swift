@testable import CrierCore
import CrierTestSupport
import Foundation
import Testing

@Suite struct MastodonAdapterTests {
    let adapter = MastodonAdapter()
    let png = Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3])

    func context(part: Int = 1, replyTo: String? = nil, media: [MediaItem] = [], post: Post? = nil,
                 settings: [String: String] = [:]) -> DeliveryContext {
        let post = post ?? Post(id: "p", file: "p.md", channels: .named(["fosstodon"]), body: "Hello")
        let channel = ChannelConfig(name: "fosstodon", platform: .mastodon, url: "https://social.example/", settings: settings)
        let earlier: [RemoteReference?] = part > 1 ? Array(repeating: RemoteReference(id: replyTo, url: nil), count: part - 1) : []
        return DeliveryContext(deliveryID: "d_\(part)", post: post, channel: channel, secrets: ["token": Secret("tok-123")], part: part,
                               partCount: max(part, 1), rendered: RenderedPart(text: "Hello part \(part)", length: 12, limit: 500),
                               scheduledAt: Date(timeIntervalSince1970: 0), earlierParts: earlier, media: media)
    }

    var mediaSource: InMemoryMediaSource {
        InMemoryMediaSource(files: ["media/a.png": (png, "image/png"), "media/b.png": (png, "image/png")])
    }

    func request(_ step: AdapterStep) throws -> StepRequest {
        guard case .request(let request) = step else { throw StepError(step: step) }
        return request
    }

    struct StepError: Error { var step: AdapterStep }

    func json(_ object: [String: Any], status: Int = 200, headers: [HTTPHeader] = []) -> TransportResponse {
        TransportResponse(status: status, headers: headers, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    @Test func aPlainPostIsOneIdempotentCreate() throws {
        let step = try request(adapter.nextStep(for: context(), progress: .start, media: mediaSource, now: Date()))
        #expect(step.name == "create")
        #expect(step.repeatSafe, "Idempotency-Key makes the create safe to repeat")
        #expect(step.request.url == "https://social.example/api/v1/statuses")
        #expect(step.request.headers.value(for: "Idempotency-Key") == "d_1")
        #expect(step.request.headers.value(for: "Authorization") == "Bearer tok-123")
        let body = try #require(try JSONSerialization.jsonObject(with: step.request.body) as? [String: Any])
        #expect(body["status"] as? String == "Hello part 1")
        #expect(body["in_reply_to_id"] == nil)
    }

    @Test func laterPartsReplyToThePreviousPartAndCarryThePostsOptions() throws {
        var post = Post(id: "p", file: "p.md", channels: .named(["fosstodon"]), body: "Hello")
        post.contentWarning = "spoilers"
        post.language = "de"
        let step = try request(adapter.nextStep(for: context(part: 2, replyTo: "1001", post: post, settings: ["visibility": "unlisted", "sensitive": "true", "language": "en"]),
                                                progress: .start, media: mediaSource, now: Date()))
        let body = try #require(try JSONSerialization.jsonObject(with: step.request.body) as? [String: Any])
        #expect(body["in_reply_to_id"] as? String == "1001")
        #expect(body["spoiler_text"] as? String == "spoilers")
        #expect(body["language"] as? String == "de", "the post's language wins over the channel's")
        #expect(body["visibility"] as? String == "unlisted")
        #expect(body["sensitive"] as? Bool == true)
    }

    @Test func aPartWithoutAPreviousIdAndABadVisibilityFailWithWhatToFix() {
        guard case .fail(let reason) = adapter.nextStep(for: context(part: 2, replyTo: nil), progress: .start, media: mediaSource, now: Date()) else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains("nothing to reply to"))
        guard case .fail(let bad) = adapter.nextStep(for: context(settings: ["visibility": "friends"]), progress: .start, media: mediaSource, now: Date()) else {
            Issue.record("expected a failure")
            return
        }
        #expect(bad.contains("visibility 'friends'"))
    }

    @Test func imagesAreUploadedWithAltTextPolledUntilReadyThenAttached() throws {
        let items = [MediaItem(file: "media/a.png", alt: "First", byteCount: png.count, mimeType: "image/png"),
                     MediaItem(file: "media/b.png", alt: nil, byteCount: png.count, mimeType: "image/png")]
        let ctx = context(media: items)
        var progress = DeliveryProgress.start
        let upload = try request(adapter.nextStep(for: ctx, progress: progress, media: mediaSource, now: Date()))
        #expect(upload.name == "upload-media[1]")
        #expect(upload.repeatSafe)
        #expect(upload.request.url == "https://social.example/api/v2/media")
        let parts = try #require(MultipartFormParser.parse(upload.request.body, contentType: upload.request.headers.value(for: "Content-Type")))
        #expect(parts.map(\.name) == ["file", "description"])
        #expect(parts[0].data == png && parts[0].fileName == "a.png" && parts[0].contentType == "image/png")
        #expect(String(decoding: parts[1].data, as: UTF8.self) == "First")
        let again = try request(adapter.nextStep(for: ctx, progress: progress, media: mediaSource, now: Date().addingTimeInterval(60)))
        #expect(again.request == upload.request, "a repeated upload is the same bytes")

        // 202: still processing → poll.
        guard case .advanced(let afterUpload) = adapter.read(json(["id": "m1"], status: 202), to: upload, for: ctx, progress: progress) else {
            Issue.record("202 advances")
            return
        }
        progress = afterUpload
        #expect(progress.values["media[1]"] == "m1")
        let poll = try request(adapter.nextStep(for: ctx, progress: progress, media: mediaSource, now: Date()))
        #expect(poll.name == "media-status[1]" && poll.request.method == "GET" && poll.request.url == "https://social.example/api/v1/media/m1")
        guard case .retry(let why, let after) = adapter.read(json(["id": "m1"], status: 206), to: poll, for: ctx, progress: progress) else {
            Issue.record("206 waits")
            return
        }
        #expect(why.contains("media/a.png is still being processed") && after == 2)
        #expect(MastodonAdapter.pollWait(afterTries: 3) == 16 && MastodonAdapter.pollWait(afterTries: 9) == 60)
        guard case .advanced(let ready) = adapter.read(json(["id": "m1"]), to: poll, for: ctx, progress: progress) else {
            Issue.record("200 is ready")
            return
        }
        progress = ready
        // The second image answers 200 at once: no poll.
        let second = try request(adapter.nextStep(for: ctx, progress: progress, media: mediaSource, now: Date()))
        #expect(second.name == "upload-media[2]")
        #expect(try MultipartFormParser.parse(second.request.body, contentType: second.request.headers.value(for: "Content-Type"))?.map(\.name) == ["file"])
        guard case .advanced(let both) = adapter.read(json(["id": 77]), to: second, for: ctx, progress: progress) else {
            Issue.record("200 advances")
            return
        }
        let create = try request(adapter.nextStep(for: ctx, progress: both, media: mediaSource, now: Date()))
        #expect(create.name == "create")
        let body = try #require(try JSONSerialization.jsonObject(with: create.request.body) as? [String: Any])
        #expect(body["media_ids"] as? [String] == ["m1", "77"])
    }

    @Test func failedProcessingAndRefusalsArePermanentWithTheServersWords() throws {
        let items = [MediaItem(file: "media/a.png", alt: "A", byteCount: 7, mimeType: "image/png")]
        let ctx = context(media: items)
        let progress = DeliveryProgress(values: ["media[1]": "m1"], done: ["upload-media[1]"])
        let poll = try request(adapter.nextStep(for: ctx, progress: progress, media: mediaSource, now: Date()))
        guard case .failed(let failed) = adapter.read(json(["error": "Error processing thumbnail"], status: 422), to: poll, for: ctx, progress: progress) else {
            Issue.record("422 on a poll fails")
            return
        }
        #expect(failed.contains("could not process media/a.png") && failed.contains("Error processing thumbnail"))
        let create = try request(adapter.nextStep(for: context(), progress: .start, media: mediaSource, now: Date()))
        guard case .retry(_, let after) = adapter.read(json(["error": "Cannot attach files that have not finished processing. Try again in a moment!"], status: 422),
                                                       to: create, for: context(), progress: .start) else {
            Issue.record("not ready is retried")
            return
        }
        #expect(after == 5)
        guard case .failed(let refused) = adapter.read(json(["error": "Validation failed: Text character limit of 500 exceeded"], status: 422),
                                                       to: create, for: context(), progress: .start) else {
            Issue.record("other 422s fail")
            return
        }
        #expect(refused.contains("character limit of 500 exceeded") && refused.contains("fosstodon"))
        guard case .failed(let revoked) = adapter.read(json(["error": "The access token was revoked"], status: 401), to: create, for: context(), progress: .start) else {
            Issue.record("401 fails")
            return
        }
        #expect(revoked.contains("create an access token") && !revoked.contains("tok-123"))
        guard case .failed(let gone) = adapter.read(json(["error": "Record not found"], status: 404), to: create, for: context(part: 2, replyTo: "55"), progress: .start) else {
            Issue.record("404 on a reply fails")
            return
        }
        #expect(gone.contains("(55) is gone"))
        #expect(adapter.read(json(["error": "Too many requests"], status: 429), to: create, for: context(), progress: .start) == .standard)
        #expect(adapter.read(json([:], status: 503), to: create, for: context(), progress: .start) == .standard)
    }

    @Test func aCreatedStatusIsSentWithItsIdAndURL() throws {
        let create = try request(adapter.nextStep(for: context(), progress: .start, media: mediaSource, now: Date()))
        let answer = adapter.read(json(["id": "1099", "url": "https://social.example/@crier/1099"]), to: create, for: context(), progress: .start)
        #expect(answer == .sent(RemoteReference(id: "1099", url: "https://social.example/@crier/1099")))
        #expect(adapter.remoteReference(forURL: "https://social.example/@crier/1099").id == "1099")
    }

    @Test func anISOResetTimeHoldsTheChannelUntilThen() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let reset = ISO8601DateFormatter().string(from: now.addingTimeInterval(90))
        let response = TransportResponse(status: 429, headers: [HTTPHeader("X-RateLimit-Remaining", "0"), HTTPHeader("X-RateLimit-Reset", reset)])
        #expect(RateLimitSignal.wait(in: response, now: now) == 90)
        let fractional = TransportResponse(status: 200, headers: [HTTPHeader("X-RateLimit-Remaining", "0"),
                                                                  HTTPHeader("X-RateLimit-Reset", "2027-01-15T08:00:30.123456Z")])
        let at = ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z")!
        #expect(abs((RateLimitSignal.wait(in: fractional, now: at) ?? 0) - 30.123) < 0.01)
        let left = TransportResponse(status: 200, headers: [HTTPHeader("X-RateLimit-Remaining", "12"), HTTPHeader("X-RateLimit-Reset", reset)])
        #expect(RateLimitSignal.wait(in: left, now: now) == nil, "budget left: no wait")
        #expect(RateLimitSignal.isoTime("2027-01-15T08:00:30Z\u{301}") == nil, "non-ASCII never reaches the parser")
    }
}

@Suite struct MastodonProbeTests {
    let adapter = MastodonAdapter()
    let context = ProbeContext(channel: ChannelConfig(name: "fosstodon", platform: .mastodon, url: "https://social.example"),
                               secrets: ["token": Secret("tok")])

    @Test func verifiesTheTokenThenKeepsTheInstanceLimitsInTheSession() throws {
        guard case .request(let verify) = adapter.nextProbeStep(for: context, values: [:]) else {
            Issue.record("first the credentials")
            return
        }
        #expect(verify.request.url == "https://social.example/api/v1/accounts/verify_credentials")
        guard case .advanced(let values) = adapter.readProbe(TransportResponse(status: 200, body: Data(#"{"acct":"crier"}"#.utf8)), to: verify,
                                                             for: context, values: [:]) else {
            Issue.record("the account advances")
            return
        }
        guard case .request(let instance) = adapter.nextProbeStep(for: context, values: values) else {
            Issue.record("then the instance")
            return
        }
        let document = #"{"configuration":{"statuses":{"max_characters":5000,"max_media_attachments":8,"characters_reserved_per_url":23},"media_attachments":{"image_size_limit":10485760,"description_limit":1500}}}"#
        guard case .renewed(var session) = adapter.readProbe(TransportResponse(status: 200, body: Data(document.utf8)), to: instance,
                                                             for: context, values: values) else {
            Issue.record("the limits renew the session")
            return
        }
        #expect(MastodonInstanceLimits(session: session) == MastodonInstanceLimits(maxCharacters: 5000, charactersReservedPerURL: 23,
                                                                                   maxMediaAttachments: 8, imageSizeLimit: 10_485_760,
                                                                                   descriptionLimit: 1500))
        session.generation = 1
        var after = context
        after.session = session
        guard case .ok(let message) = adapter.nextProbeStep(for: after, values: values) else {
            Issue.record("then the verdict")
            return
        }
        #expect(message == "ok as @crier (instance limits: 5000 characters, 8 media, images up to 10485760 bytes, alt text up to 1500 characters)")
        guard case .problem(let revoked) = adapter.readProbe(TransportResponse(status: 401, body: Data(#"{"error":"The access token is invalid"}"#.utf8)),
                                                             to: verify, for: context, values: [:]) else {
            Issue.record("401 is a problem")
            return
        }
        #expect(revoked.contains("create an access token"))
    }

    @Test func aPostTheInstanceWouldRefuseFailsBeforeAnyUpload() {
        var channel = ChannelConfig(name: "small", platform: .mastodon, url: "https://social.example")
        channel.lengthLimit = nil
        let post = Post(id: "p", file: "p.md", channels: .named(["small"]), body: "x")
        let context = DeliveryContext(deliveryID: "d", post: post, channel: channel, secrets: [:], part: 1, partCount: 1,
                                      rendered: RenderedPart(text: String(repeating: "x", count: 450), length: 450, limit: 500),
                                      scheduledAt: Date(), session: ChannelSession(values: ["max_characters": "400"]))
        guard case .fail(let reason) = adapter.nextStep(for: context, progress: .start, media: InMemoryMediaSource(), now: Date()) else {
            Issue.record("too long for the instance")
            return
        }
        #expect(reason.contains("450 characters and the instance takes 400") && reason.contains("limit: 400"))
        var placeholder = context
        placeholder.session = .placeholder
        guard case .request = adapter.nextStep(for: placeholder, progress: .start, media: InMemoryMediaSource(), now: Date()) else {
            Issue.record("the preview's placeholder session knows no limits")
            return
        }
    }
}
