@testable import CrierCore
import CrierTestSupport
import Foundation
import Testing

@Suite struct BlueskyAdapterTests {
    let adapter = BlueskyAdapter()
    let media = InMemoryMediaSource(files: ["media/a.png": (Data([0x89, 0x50, 0x4E, 0x47]), "image/png")])
    static let session = ChannelSession(values: ["access_token": "acc", "refresh_token": "ref", "did": "did:plc:me"],
                                        expiresAt: Date(timeIntervalSince1970: 2_000_000_000))

    func context(text: String = "Hello", part: Int = 1, earlier: [RemoteReference?] = [], session: ChannelSession = Self.session,
                 mediaItems: [MediaItem] = []) -> DeliveryContext {
        let post = Post(id: "p", file: "p.md", channels: .named(["sky"]), body: text)
        let rendered = PostRenderer.render(post, channel: "sky", platform: .bluesky, options: RenderOptions()).parts[0]
        var context = DeliveryContext(deliveryID: "d_\(part)", post: post,
                                      channel: ChannelConfig(name: "sky", platform: .bluesky, url: "https://pds.example", settings: ["handle": "me.test"]),
                                      secrets: ["app_password": Secret("app-pw")], part: part, partCount: max(part, 1), rendered: rendered,
                                      scheduledAt: Date(timeIntervalSince1970: 1_796_000_000), earlierParts: earlier, media: mediaItems)
        context.session = session
        return context
    }

    func step(_ context: DeliveryContext, _ progress: DeliveryProgress = .start, now: Date = Date(timeIntervalSince1970: 1_796_000_000)) throws -> StepRequest {
        guard case .request(let request) = adapter.nextStep(for: context, progress: progress, media: media, now: now) else {
            throw Failure()
        }
        return request
    }

    struct Failure: Error {}

    func json(_ object: [String: Any], status: Int = 200) -> TransportResponse {
        TransportResponse(status: status, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    @Test func logsInOnceWhenNoSessionIsKeptAndKeepsTheTokensInTheSession() throws {
        let login = try step(context(session: .none))
        #expect(login.name == "create-session" && login.sessionStep && login.repeatSafe)
        #expect(login.request.url == "https://pds.example/xrpc/com.atproto.server.createSession")
        let body = try #require(try JSONSerialization.jsonObject(with: login.request.body) as? [String: String])
        #expect(body == ["identifier": "me.test", "password": "app-pw"])
        let answer = adapter.read(json(["accessJwt": "a.eyJleHAiOjE3OTYwMDcyMDB9.s", "refreshJwt": "r", "did": "did:plc:me", "handle": "me.test"]),
                                  to: login, for: context(session: .none), progress: .start)
        guard case .renewed(let session) = answer else {
            Issue.record("a login renews the session: \(answer)")
            return
        }
        #expect(session.values["access_token"] == "a.eyJleHAiOjE3OTYwMDcyMDB9.s" && session.values["did"] == "did:plc:me")
        #expect(session.expiresAt == Date(timeIntervalSince1970: 1_796_007_200), "from the token's exp")
        #expect(!session.description.contains("a.eyJ"), "a session never prints its tokens")
        let refused = adapter.read(json(["error": "AuthenticationRequired", "message": "Invalid identifier or password"], status: 401),
                                   to: login, for: context(session: .none), progress: .start)
        guard case .failed(let why) = refused else {
            Issue.record("a refused login fails")
            return
        }
        #expect(why.contains("App passwords") && !why.contains("app-pw"))
    }

    @Test func refreshesAnExpiredSessionAndLogsInOnlyWhenTheRefreshTokenIsDead() throws {
        var expired = Self.session
        expired.needsRenewal = true
        let refresh = try step(context(session: expired))
        #expect(refresh.name == "refresh-session" && refresh.request.headers.value(for: "Authorization") == "Bearer ref")
        let dead = adapter.read(json(["error": "ExpiredToken", "message": "Token has been revoked"], status: 400), to: refresh,
                                for: context(session: expired), progress: .start)
        guard case .renewed(let cleared) = dead else {
            Issue.record("a dead refresh token clears the session")
            return
        }
        #expect(cleared.values["access_token"] == nil)
        #expect(try step(context(session: cleared)).name == "create-session")
        let soon = try step(context(), now: Date(timeIntervalSince1970: 2_000_000_000 - 30))
        #expect(soon.name == "refresh-session", "an access token about to expire is refreshed first")
    }

    @Test func createsTheRecordUnderAKeyDerivedFromTheDeliveryAndMapsExpiryToARenewal() throws {
        let create = try step(context(text: "Hello #crier"))
        #expect(create.name == "create" && !create.repeatSafe && !create.sessionStep)
        #expect(create.request.headers.value(for: "Authorization") == "Bearer acc")
        let body = try #require(try JSONSerialization.jsonObject(with: create.request.body) as? [String: Any])
        let rkey = try #require(body["rkey"] as? String)
        #expect(rkey == BlueskyRecordKey.tid(deliveryID: "d_1", scheduledAt: Date(timeIntervalSince1970: 1_796_000_000), part: 1))
        #expect(body["repo"] as? String == "did:plc:me" && body["collection"] as? String == "app.bsky.feed.post")
        let record = try #require(body["record"] as? [String: Any])
        #expect(record["text"] as? String == "Hello #crier" && (record["facets"] as? [Any])?.count == 1)
        let sent = adapter.read(json(["uri": "at://did:plc:me/app.bsky.feed.post/\(rkey)", "cid": "bafy"]), to: create, for: context(), progress: .start)
        #expect(sent == .sent(RemoteReference(id: "at://did:plc:me/app.bsky.feed.post/\(rkey)", url: "https://bsky.app/profile/did:plc:me/post/\(rkey)")))
        #expect(adapter.read(json(["error": "ExpiredToken"], status: 400), to: create, for: context(), progress: .start)
                    == .sessionExpired("HTTP 400 ExpiredToken (channel 'sky')"))
        guard case .failed(let invalid) = adapter.read(json(["error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"], status: 400),
                                                       to: create, for: context(), progress: .start) else {
            Issue.record("InvalidRequest is permanent")
            return
        }
        #expect(invalid.contains("Invalid app.bsky.feed.post record"))
        guard case .failed(let takedown) = adapter.read(json(["error": "AccountTakedown"], status: 400), to: create, for: context(), progress: .start) else {
            Issue.record("AccountTakedown is permanent")
            return
        }
        #expect(takedown.contains("taken down"))
        #expect(adapter.read(json(["error": "InternalServerError"], status: 500), to: create, for: context(), progress: .start) == .standard)
    }

    @Test func aCreateInDoubtIsLookedUpByItsKeyFirst() throws {
        let doubt = DeliveryProgress(uncertainStep: "create")
        let lookup = try step(context(), doubt)
        #expect(lookup.name == "reconcile" && lookup.repeatSafe)
        let rkey = BlueskyRecordKey.tid(deliveryID: "d_1", scheduledAt: Date(timeIntervalSince1970: 1_796_000_000), part: 1)
        #expect(lookup.request.url == "https://pds.example/xrpc/com.atproto.repo.getRecord?repo=did:plc:me&collection=app.bsky.feed.post&rkey=\(rkey)")
        #expect(adapter.read(json(["uri": "at://did:plc:me/app.bsky.feed.post/\(rkey)", "cid": "c"]), to: lookup, for: context(), progress: doubt)
                    == .sent(RemoteReference(id: "at://did:plc:me/app.bsky.feed.post/\(rkey)", url: "https://bsky.app/profile/did:plc:me/post/\(rkey)")))
        #expect(adapter.read(json(["error": "RecordNotFound", "message": "Could not locate record"], status: 400), to: lookup, for: context(), progress: doubt)
                    == .advanced(doubt), "not there: create it (under the same key)")
    }

    @Test func theCreatesKeyIsRememberedSoAnEditOfTheTimeCannotNameASecondRecord() throws {
        let create = try step(context())
        let rkey = try #require(create.remember["rkey"])
        // The engine journals `remember` with the uncertain mark; the post's `at:` is then edited.
        let doubt = DeliveryProgress(values: ["rkey": rkey], uncertainStep: "create")
        var edited = context()
        edited.scheduledAt = Date(timeIntervalSince1970: 1_797_000_000)
        let lookup = try step(edited, doubt)
        #expect(lookup.request.url.hasSuffix("&rkey=\(rkey)"))
        let again = try step(edited, DeliveryProgress(values: ["rkey": rkey]))
        let body = try #require(try JSONSerialization.jsonObject(with: again.request.body) as? [String: Any])
        #expect(body["rkey"] as? String == rkey)
    }

    @Test func mentionsAreResolvedOnceIntoTheSessionAndUnknownOnesStayPlain() throws {
        let ctx = context(text: "Thanks @alice.test!")
        let resolve = try step(ctx)
        #expect(resolve.name == "resolve-handle" && resolve.sessionStep)
        #expect(resolve.request.url == "https://pds.example/xrpc/com.atproto.identity.resolveHandle?handle=alice.test")
        guard case .renewed(let known) = adapter.read(json(["did": "did:plc:alice"]), to: resolve, for: ctx, progress: .start),
              case .renewed(let unknown) = adapter.read(json(["error": "InvalidRequest", "message": "Unable to resolve handle"], status: 400),
                                                        to: resolve, for: ctx, progress: .start) else {
            Issue.record("resolving renews the session")
            return
        }
        #expect(known.values["did:alice.test"] == "did:plc:alice" && known.values["access_token"] == "acc")
        let withDID = try step(context(text: "Thanks @alice.test!", session: known))
        let facets = try #require(((try JSONSerialization.jsonObject(with: withDID.request.body) as? [String: Any])?["record"] as? [String: Any])?["facets"] as? [[String: Any]])
        #expect(((facets.first?["features"] as? [[String: Any]])?.first?["did"] as? String) == "did:plc:alice")
        let plain = try step(context(text: "Thanks @alice.test!", session: unknown))
        let record = (try JSONSerialization.jsonObject(with: plain.request.body) as? [String: Any])?["record"] as? [String: Any]
        #expect(record?["facets"] == nil, "an unknown handle stays plain text")
    }

    @Test func threadPartsLookUpTheCIDsOfRootAndParent() throws {
        let root = RemoteReference(id: "at://did:plc:me/app.bsky.feed.post/3aaaaaaaaaaaa", url: nil)
        let parent = RemoteReference(id: nil, url: "https://bsky.app/profile/did:plc:me/post/3bbbbbbbbbbbb")
        let ctx = context(part: 3, earlier: [root, parent])
        let first = try step(ctx)
        #expect(first.name == "lookup-root" && first.request.url.hasSuffix("rkey=3aaaaaaaaaaaa"))
        guard case .advanced(let haveRoot) = adapter.read(json(["uri": root.id!, "cid": "c-root"]), to: first, for: ctx, progress: .start) else {
            Issue.record("the root's cid advances")
            return
        }
        let second = try step(ctx, haveRoot)
        #expect(second.name == "lookup-parent" && second.request.url.hasSuffix("rkey=3bbbbbbbbbbbb"))
        guard case .advanced(let both) = adapter.read(json(["cid": "c-parent"]), to: second, for: ctx, progress: haveRoot) else {
            Issue.record("the parent's cid advances")
            return
        }
        let create = try step(ctx, both)
        let reply = (((try JSONSerialization.jsonObject(with: create.request.body) as? [String: Any])?["record"] as? [String: Any])?["reply"]) as? [String: [String: String]]
        #expect(reply?["root"] == ["uri": root.id!, "cid": "c-root"])
        #expect(reply?["parent"] == ["uri": "at://did:plc:me/app.bsky.feed.post/3bbbbbbbbbbbb", "cid": "c-parent"])
        guard case .failed(let gone) = adapter.read(json(["error": "RecordNotFound"], status: 400), to: second, for: ctx, progress: haveRoot) else {
            Issue.record("a deleted reply target fails")
            return
        }
        #expect(gone.contains("is gone"))
    }

    @Test func imagesAreUploadedOnceAndTooManyOrTooLargeFailClearly() throws {
        let item = MediaItem(file: "media/a.png", alt: "Alt", byteCount: 4, mimeType: "image/png", width: 4, height: 3)
        let ctx = context(mediaItems: [item])
        let upload = try step(ctx)
        #expect(upload.name == "upload-blob[1]" && upload.repeatSafe && upload.request.headers.value(for: "Content-Type") == "image/png")
        guard case .advanced(let uploaded) = adapter.read(json(["blob": ["$type": "blob", "ref": ["$link": "bafk"], "mimeType": "image/png", "size": 4]]),
                                                          to: upload, for: ctx, progress: .start) else {
            Issue.record("an upload advances")
            return
        }
        #expect(try step(ctx, uploaded).name == "create")
        let big = MediaItem(file: "media/a.png", alt: nil, byteCount: 2_000_001, mimeType: "image/png")
        guard case .fail(let tooBig) = adapter.nextStep(for: context(mediaItems: [big]), progress: .start, media: media, now: Date()),
              case .fail(let tooMany) = adapter.nextStep(for: context(mediaItems: Array(repeating: item, count: 5)), progress: .start, media: media, now: Date()) else {
            Issue.record("limits fail")
            return
        }
        #expect(tooBig.contains("2000000 bytes") && tooMany.contains("at most 4"))
        let video = MediaItem(file: "media/v.mp4", alt: nil, byteCount: 10, mimeType: "video/mp4")
        guard case .fail(let noVideo) = adapter.nextStep(for: context(mediaItems: [video]), progress: .start, media: media, now: Date()) else {
            Issue.record("a video is refused, not dropped")
            return
        }
        #expect(noVideo.contains("media/v.mp4 is not an image"))
    }

    @Test func aResolvedBskyAppLinkNamesItsRecord() {
        #expect(adapter.remoteReference(forURL: "https://bsky.app/profile/did:plc:me/post/3jzfcijpj2z2a").id
                    == "at://did:plc:me/app.bsky.feed.post/3jzfcijpj2z2a")
    }
}
