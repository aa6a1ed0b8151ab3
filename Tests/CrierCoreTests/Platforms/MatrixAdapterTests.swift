@testable import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The Matrix adapter's steps and answers, walked with answers shaped as Synapse gives them (the
/// end-to-end suite runs the same adapter against a real Synapse).
@Suite struct MatrixAdapterTests {
    static let token = "syt_YWxpY2U_secret_token"
    let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 92))

    func context(part: Int = 1, of parts: Int = 1, room: String = "!abc:crier.test", media: [MediaItem] = [], settings: [String: String] = [:],
                 earlier: [RemoteReference?] = []) -> DeliveryContext {
        let post = Post(id: "launch", file: "launch.md", channels: .named(["room"]), media: media.map { PostMedia(file: $0.file, alt: $0.alt) },
                        body: "We *shipped*")
        var channel = ChannelConfig(name: "room", platform: .matrix, url: "http://127.0.0.1:8008/")
        channel.settings = ["room": room].merging(settings) { $1 }
        return DeliveryContext(deliveryID: "d_part\(part)", post: post, channel: channel, secrets: ["token": Secret(Self.token)], part: part,
                               partCount: parts, rendered: RenderedPart(text: "We shipped \(part)", length: 12, limit: nil,
                                                                        formattedHTML: "We <em>shipped</em> \(part)"),
                               scheduledAt: Date(timeIntervalSince1970: 1_795_334_400), earlierParts: earlier, media: media)
    }

    var image: MediaItem { MediaItem(file: "media/chart.png", alt: "A chart going up", byteCount: png.count, mimeType: "image/png", width: 640, height: 480) }
    var source: InMemoryMediaSource { InMemoryMediaSource(files: ["media/chart.png": (png, "image/png")]) }

    /// Drives the adapter as the engine does: each step's answer from `answer` (a `.renewed` session
    /// kept for the next steps), until it is sent (given back as `.done`), fails, or an answer is
    /// neither `advanced`, `renewed` nor `sent`.
    func walk(_ context: DeliveryContext, media: InMemoryMediaSource? = nil, answer: (StepRequest) -> TransportResponse)
        -> (steps: [StepRequest], end: AdapterStep?, last: StepAnswer?) {
        var progress = DeliveryProgress.start
        var steps: [StepRequest] = []
        var context = context
        for _ in 0..<20 {
            let next = MatrixAdapter().nextStep(for: context, progress: progress, media: media ?? source, now: Date(timeIntervalSince1970: 0))
            guard case .request(let step) = next else { return (steps, next, nil) }
            steps.append(step)
            let read = MatrixAdapter().read(answer(step), to: step, for: context, progress: progress)
            if case .sent(let remote) = read { return (steps, .done(remote), read) }
            if case .renewed(let session) = read {
                // As the engine does: the session is stored, the progress stays.
                context.session = session
                continue
            }
            guard case .advanced(let advanced) = read else { return (steps, nil, read) }
            progress = advanced
        }
        Issue.record("the adapter never ended")
        return (steps, nil, nil)
    }

    static func json(_ object: [String: Any], status: Int = 200, headers: [HTTPHeader] = []) -> TransportResponse {
        TransportResponse(status: status, headers: [HTTPHeader("Content-Type", "application/json")] + headers,
                          body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    static func body(_ step: StepRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: step.request.body)) as? [String: Any] ?? [:]
    }

    /// Answers like Synapse: the media config, an mxc URI per upload, an event id per send.
    func synapse(_ step: StepRequest) -> TransportResponse {
        switch step.request.method {
        case "GET": return Self.json(["m.upload.size": 2_097_152])
        case "POST": return Self.json(["content_uri": "mxc://crier.test/upload1"])
        default: return Self.json(["event_id": "$" + step.name])
        }
    }

    @Test func aFirstPartWithAnImageChecksTheLimitUploadsSendsTheTextThenTheImage() throws {
        let walked = walk(context(media: [image]), answer: synapse)
        #expect(walked.steps.map(\.name) == ["media-config", "upload-media[1]", "send", "send-media[1]"])
        #expect(walked.steps.allSatisfy { $0.repeatSafe }, "every Matrix step is safe to repeat (txnId, uploads, reads)")
        #expect(walked.steps.map(\.sessionStep) == [true, false, false, false], "the upload limit is the channel's, read once")
        let urls = walked.steps.map(\.request.url)
        #expect(urls == [
            "http://127.0.0.1:8008/_matrix/client/v1/media/config",
            "http://127.0.0.1:8008/_matrix/media/v3/upload?filename=chart.png",
            "http://127.0.0.1:8008/_matrix/client/v3/rooms/%21abc%3Acrier.test/send/m.room.message/d_part1",
            "http://127.0.0.1:8008/_matrix/client/v3/rooms/%21abc%3Acrier.test/send/m.room.message/d_part1-media1",
        ])
        #expect(walked.steps.map(\.request.method) == ["GET", "POST", "PUT", "PUT"])
        for step in walked.steps {
            #expect(step.request.headers.value(for: "Authorization") == "Bearer \(Self.token)")
            #expect(!step.request.url.contains(Self.token), "the token never goes into a URL")
        }
        #expect(walked.steps[1].request.headers.value(for: "Content-Type") == "image/png")
        #expect(walked.steps[1].request.body == png)
        let text = Self.body(walked.steps[2])
        #expect(text["msgtype"] as? String == "m.text")
        #expect(text["body"] as? String == "We shipped 1")
        #expect(text["format"] as? String == "org.matrix.custom.html")
        #expect(text["formatted_body"] as? String == "We <em>shipped</em> 1")
        #expect(text["m.relates_to"] == nil, "a single part is no thread")
        let picture = Self.body(walked.steps[3])
        #expect(picture["msgtype"] as? String == "m.image")
        #expect(picture["body"] as? String == "A chart going up", "the alt text is the body")
        #expect(picture["filename"] as? String == "chart.png")
        #expect(picture["url"] as? String == "mxc://crier.test/upload1")
        let info = try #require(picture["info"] as? [String: Any])
        #expect(info["mimetype"] as? String == "image/png")
        #expect(info["size"] as? Int == 100)
        #expect(info["w"] as? Int == 640)
        #expect(info["h"] as? Int == 480)
        #expect(picture["m.relates_to"] == nil)
        guard case .done(let remote) = walked.end else { Issue.record("not done: \(String(describing: walked.end))"); return }
        #expect(remote?.id == "$send", "the text event stands for the part")
        #expect(remote?.url == "https://matrix.to/#/%21abc%3Acrier.test/%24send?via=crier.test")
    }

    @Test func requestBodiesAreByteIdenticalOnARepeat() {
        let first = walk(context(media: [image]), answer: synapse).steps.map(\.request)
        let second = walk(context(media: [image]), answer: synapse).steps.map(\.request)
        #expect(first == second)
        let raw = String(decoding: first[2].body, as: UTF8.self)
        #expect(raw == #"{"body":"We shipped 1","format":"org.matrix.custom.html","formatted_body":"We <em>shipped</em> 1","msgtype":"m.text"}"#)
    }

    @Test func laterPartsGoIntoTheThreadRootedAtPartOneWithAReplyFallback() throws {
        let earlier = [RemoteReference(id: "$root", url: nil), RemoteReference(id: "$second", url: nil)]
        let walked = walk(context(part: 3, of: 3, media: [image], earlier: earlier), answer: synapse)
        #expect(walked.steps.map(\.name) == ["send"], "media go with part 1 only")
        let relation = try #require(Self.body(walked.steps[0])["m.relates_to"] as? [String: Any])
        #expect(relation["rel_type"] as? String == "m.thread")
        #expect(relation["event_id"] as? String == "$root")
        #expect(relation["is_falling_back"] as? Bool == true)
        #expect((relation["m.in_reply_to"] as? [String: Any])?["event_id"] as? String == "$second")
        #expect(String(decoding: walked.steps[0].request.body, as: UTF8.self).contains(#""is_falling_back":true"#))
    }

    @Test func theImageOfAThreadGoesIntoTheThreadAfterPartOne() throws {
        let walked = walk(context(part: 1, of: 3, media: [image]), answer: synapse)
        let relation = try #require(Self.body(walked.steps[3])["m.relates_to"] as? [String: Any])
        #expect(relation["rel_type"] as? String == "m.thread")
        #expect(relation["event_id"] as? String == "$send")
        #expect((relation["m.in_reply_to"] as? [String: Any])?["event_id"] as? String == "$send")
        #expect(Self.body(walked.steps[2])["m.relates_to"] == nil, "part 1 is the root")
    }

    @Test func aPartWithoutTheEarlierEventIdsFails() {
        let walked = walk(context(part: 2, of: 2, earlier: [nil]), answer: synapse)
        guard case .fail(let reason) = walked.end else { Issue.record("expected a failure"); return }
        #expect(reason.contains("part 2 has no thread"))
    }

    @Test func anAliasIsResolvedFirstAndAnUnknownAliasSaysSo() throws {
        let walked = walk(context(room: "#news:crier.test"), answer: { step in
            step.name == "resolve-room" ? Self.json(["room_id": "!resolved", "servers": ["crier.test"]]) : synapse(step)
        })
        #expect(walked.steps.map(\.name) == ["resolve-room", "send"])
        #expect(walked.steps[0].sessionStep, "the room id is the channel's: resolved once, kept in its session")
        #expect(walked.steps[0].request.url == "http://127.0.0.1:8008/_matrix/client/v3/directory/room/%23news%3Acrier.test")
        #expect(walked.steps[1].request.url.contains("/rooms/%21resolved/send/"))
        guard case .done(let remote) = walked.end else { Issue.record("not done"); return }
        #expect(remote?.url == "https://matrix.to/#/%21resolved/%24send?via=crier.test", "via: the alias's server")

        let missing = walk(context(room: "#nope:crier.test"), answer: { _ in
            Self.json(["errcode": "M_NOT_FOUND", "error": "Room alias #nope:crier.test not found"], status: 404)
        })
        guard case .failed(let reason) = missing.last else { Issue.record("expected a failure"); return }
        #expect(reason.contains("matrix channel 'room'"))
        #expect(reason.contains("M_NOT_FOUND: Room alias #nope:crier.test not found"))
        #expect(reason.contains("no room has the alias #nope:crier.test"))
    }

    @Test func aServerWithoutAuthenticatedMediaIsAskedAtTheOldEndpoint() {
        let walked = walk(context(media: [image]), answer: { step in
            step.name == "media-config" ? Self.json(["errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"], status: 404) : synapse(step)
        })
        #expect(walked.steps.map(\.name) == ["media-config", "media-config-legacy", "upload-media[1]", "send", "send-media[1]"])
        #expect(walked.steps[1].request.url == "http://127.0.0.1:8008/_matrix/media/v3/config")
    }

    @Test func aFileOverTheHomeserversLimitFailsBeforeItIsUploaded() {
        let walked = walk(context(media: [image]), answer: { step in
            step.name == "media-config" ? Self.json(["m.upload.size": 50]) : synapse(step)
        })
        #expect(walked.steps.map(\.name) == ["media-config"], "nothing is uploaded")
        guard case .fail(let reason) = walked.end else { Issue.record("expected a failure"); return }
        #expect(reason == "matrix channel 'room': media/chart.png is 100 bytes; the homeserver takes uploads up to 50 bytes: "
                + "make it smaller, or leave room out of `channels:`")
    }

    @Test func aServerWithoutALimitTakesTheUpload() {
        let walked = walk(context(media: [image]), answer: { step in step.name == "media-config" ? Self.json([:]) : synapse(step) })
        #expect(walked.steps.map(\.name) == ["media-config", "upload-media[1]", "send", "send-media[1]"])
    }

    @Test func rateLimitsAreWaitedOutAsTheServerSays() {
        let adapter = MatrixAdapter()
        let context = context()
        let step = StepRequest(name: "send", request: OutgoingRequest(url: "x"), repeatSafe: true)
        let limited = ["errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 2500] as [String: Any]
        #expect(adapter.read(Self.json(limited, status: 429, headers: [HTTPHeader("Retry-After", "7")]), to: step, for: context, progress: .start)
                == .retry("matrix channel 'room': send: rate limited by the homeserver (M_LIMIT_EXCEEDED: Too Many Requests)", after: 7))
        guard case .retry(_, let after) = adapter.read(Self.json(limited, status: 429), to: step, for: context, progress: .start) else {
            Issue.record("expected a retry"); return
        }
        #expect(after == 2.5, "the deprecated retry_after_ms when there is no Retry-After")
        #expect(adapter.read(TransportResponse(status: 502), to: step, for: context, progress: .start) == .standard)
    }

    @Test func refusalsFailWithTheServersWordsAndWhatToDo() {
        let adapter = MatrixAdapter()
        let context = context()
        let step = StepRequest(name: "send", request: OutgoingRequest(url: "x"), repeatSafe: true)
        func reason(_ object: [String: Any], _ status: Int) -> String {
            guard case .failed(let reason) = adapter.read(Self.json(object, status: status), to: step, for: context, progress: .start) else { return "" }
            return reason
        }
        let forbidden = reason(["errcode": "M_FORBIDDEN", "error": "User @alice:crier.test not in room !abc:crier.test"], 403)
        #expect(forbidden == "matrix channel 'room': send: M_FORBIDDEN: User @alice:crier.test not in room !abc:crier.test; "
                + "invite the account to !abc:crier.test and join it (or give it the power level to post there)")
        let revoked = reason(["errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed.", "soft_logout": false], 401)
        #expect(revoked.contains("M_UNKNOWN_TOKEN: Invalid access token passed."))
        #expect(revoked.contains("give the channel a new `token`"))
        let expired = reason(["errcode": "M_UNKNOWN_TOKEN", "error": "Access token has expired", "soft_logout": true], 401)
        #expect(expired.contains("has expired"))
        #expect(reason(["errcode": "M_TOO_LARGE", "error": "Upload request body is too large"], 413).contains("make it smaller"))
        #expect(reason([:], 400) == "matrix channel 'room': send: HTTP 400; fix what the homeserver says, then `crier retry` the post")
        for text in [forbidden, revoked, expired] { #expect(!text.contains(Self.token)) }
    }

    @Test func aSuccessWithoutTheExpectedIdFails() {
        let walked = walk(context(), answer: { _ in Self.json([:]) })
        guard case .failed(let reason) = walked.last else { Issue.record("expected a failure"); return }
        #expect(reason == "matrix channel 'room': send: the homeserver's answer has no event_id")
    }

    @Test func settingsInTheWrongShapeFailWithWhatToFix() {
        func reason(_ context: DeliveryContext) -> String {
            guard case .fail(let reason) = MatrixAdapter().nextStep(for: context, progress: .start, media: source, now: Date()) else { return "" }
            return reason
        }
        #expect(reason(context(room: "news")).contains("neither a room id (!…) nor an alias (#…:server)"))
        #expect(reason(context(settings: ["msgtype": "m.emote"])).contains("`msgtype: m.emote` is not one of m.text, m.notice"))
        var noToken = context()
        noToken.secrets = [:]
        #expect(reason(noToken).contains("needs `token` (an access token), or `user` and `password`"))
    }

    @Test func aNoticeIsSentAsOne() {
        let walked = walk(context(settings: ["msgtype": "m.notice"]), answer: synapse)
        #expect(Self.body(walked.steps[0])["msgtype"] as? String == "m.notice")
    }

    @Test func aMatrixToLinkGivesBackItsEventId() {
        let link = MatrixAdapter.link(room: "!ULQ2s7CQ", event: "$abc-DEF_1", alias: "!ULQ2s7CQ", homeserver: "https://matrix.example.org")
        #expect(link == "https://matrix.to/#/%21ULQ2s7CQ/%24abc-DEF_1?via=matrix.example.org", "a room id without a server: the homeserver's host")
        #expect(MatrixAdapter().remoteReference(forURL: link) == RemoteReference(id: "$abc-DEF_1", url: link))
        #expect(MatrixAdapter().remoteReference(forURL: "https://matrix.to/#/!r:s/$ev:s?via=s").id == "$ev:s", "old event ids have a server part")
        #expect(MatrixAdapter().remoteReference(forURL: "https://matrix.to/#/!r:s").id == nil)
    }

    func loginContext(session: ChannelSession = .none) -> DeliveryContext {
        var context = context()
        context.secrets = ["password": Secret("hunter2-password")]
        context.channel.settings["user"] = "alice"
        context.session = session
        return context
    }

    @Test func withUserAndPasswordCrierLogsInOnceForAFixedDeviceAndUsesTheSessionsToken() throws {
        let walked = walk(loginContext(), answer: { step in
            step.name == "login"
                ? Self.json(["user_id": "@alice:crier.test", "access_token": "syt_session", "device_id": "crier-room", "refresh_token": "syr_1",
                             "expires_in_ms": 300_000])
                : synapse(step)
        })
        #expect(walked.steps.map(\.name) == ["login", "send"])
        let login = walked.steps[0]
        #expect(login.sessionStep && login.repeatSafe)
        #expect(login.request.url == "http://127.0.0.1:8008/_matrix/client/v3/login")
        #expect(login.request.headers.value(for: "Authorization") == nil)
        let body = Self.body(login)
        #expect(body["type"] as? String == "m.login.password")
        #expect((body["identifier"] as? [String: Any])?["user"] as? String == "alice")
        #expect(body["password"] as? String == "hunter2-password")
        #expect(body["device_id"] as? String == "crier-room", "a fixed device: transaction ids dedupe across logins")
        #expect(body["refresh_token"] as? Bool == true)
        #expect(walked.steps[1].request.headers.value(for: "Authorization") == "Bearer syt_session")

        let session = ChannelSession(values: ["access_token": "syt_kept", "refresh_token": "syr_1"])
        let again = walk(loginContext(session: session), answer: synapse)
        #expect(again.steps.map(\.name) == ["send"], "a kept session means no login")
        #expect(again.steps[0].request.headers.value(for: "Authorization") == "Bearer syt_kept")
    }

    @Test func anExpiredSessionIsRefreshedAndADeadRefreshTokenMeansANewLogin() throws {
        let adapter = MatrixAdapter()
        let session = ChannelSession(values: ["access_token": "syt_old", "refresh_token": "syr_1", "room_alias": "x"])
        let context = loginContext(session: session)
        let send = StepRequest(name: "send", request: OutgoingRequest(url: "x"), repeatSafe: true)
        let expired = Self.json(["errcode": "M_UNKNOWN_TOKEN", "error": "Access token has expired", "soft_logout": true], status: 401)
        guard case .sessionExpired(let reason) = adapter.read(expired, to: send, for: context, progress: .start) else {
            Issue.record("expected sessionExpired"); return
        }
        #expect(reason.contains("M_UNKNOWN_TOKEN: Access token has expired"))
        #expect(!reason.contains("syt_old"))

        var marked = context
        marked.session.needsRenewal = true
        guard case .request(let refresh) = adapter.nextStep(for: marked, progress: .start, media: source, now: Date()) else {
            Issue.record("expected a refresh"); return
        }
        #expect(refresh.name == "refresh" && refresh.sessionStep)
        #expect(refresh.request.url == "http://127.0.0.1:8008/_matrix/client/v3/refresh")
        #expect(Self.body(refresh)["refresh_token"] as? String == "syr_1")
        let renewed = adapter.read(Self.json(["access_token": "syt_new", "refresh_token": "syr_2", "expires_in_ms": 60_000]), to: refresh,
                                   for: marked, progress: .start)
        #expect(renewed == .renewed(ChannelSession(values: ["access_token": "syt_new", "refresh_token": "syr_2", "room_alias": "x"])))

        guard case .renewed(let forgotten) = adapter.read(Self.json(["errcode": "M_UNKNOWN_TOKEN", "error": "Unknown refresh token"], status: 401),
                                                           to: refresh, for: marked, progress: .start) else {
            Issue.record("expected a renewed session"); return
        }
        #expect(forgotten.values == ["room_alias": "x"], "both tokens forgotten, the rest kept")
        var fresh = context
        fresh.session = forgotten
        guard case .request(let login) = adapter.nextStep(for: fresh, progress: .start, media: source, now: Date()) else {
            Issue.record("expected a login"); return
        }
        #expect(login.name == "login")

        let refused = adapter.read(Self.json(["errcode": "M_FORBIDDEN", "error": "Invalid username or password"], status: 403), to: login,
                                   for: fresh, progress: .start)
        guard case .failed(let words) = refused else { Issue.record("expected a failure"); return }
        #expect(words.contains("M_FORBIDDEN: Invalid username or password"))
        #expect(words.contains("check both"))
        #expect(!words.contains("hunter2-password"))
    }

    @Test func anOnlineCheckSaysWhoAndWhereOrWhatToFix() {
        func probe(joined: [String], room: String = "#news:crier.test") -> ProbeStep {
            var channel = context().channel
            channel.settings["room"] = room
            let context = ProbeContext(channel: channel, secrets: ["token": Secret(Self.token)])
            var values: [String: String] = [:]
            var names: [String] = []
            for _ in 0..<10 {
                let step = MatrixAdapter().nextProbeStep(for: context, values: values)
                guard case .request(let request) = step else { return step }
                names.append(request.name)
                #expect(request.request.method == "GET", "a check never posts")
                let response: TransportResponse = switch request.name {
                case "whoami": Self.json(["user_id": "@alice:crier.test", "device_id": "D"])
                case "resolve-room": Self.json(["room_id": "!news"])
                default: Self.json(["joined_rooms": joined])
                }
                guard case .advanced(let more) = MatrixAdapter().readProbe(response, to: request, for: context, values: values) else {
                    return .problem("not advanced")
                }
                values.merge(more) { $1 }
            }
            return .problem("never ended")
        }
        #expect(probe(joined: ["!other", "!news"]) == .ok("ok as @alice:crier.test in #news:crier.test (!news)"))
        #expect(probe(joined: ["!other"]) == .problem("@alice:crier.test is not in #news:crier.test (!news): invite it to the room and join it (or fix `room:`)"))
        #expect(probe(joined: ["!abc:crier.test"], room: "!abc:crier.test") == .ok("ok as @alice:crier.test in !abc:crier.test"))
    }

    @Test func theAdapterIsTheOneCrierDeliversMatrixWith() {
        #expect(PlatformAdapters.adapter(for: .matrix) is MatrixAdapter)
    }
}
