import CrierCore
import CrierTestSupport
import Foundation
import Testing

@Suite struct LinkedInAdapterTests {
    let now = Date(timeIntervalSince1970: 1_795_334_400)
    let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 9])

    func context(version: String? = nil, session: ChannelSession = ChannelSession(values: ["access_token": "T1"]),
                 media: [MediaItem] = [], text: String = "Hello \\(world\\)") -> DeliveryContext {
        let post = Post(id: "launch", file: "launch.md", channels: .named(["li"]), body: "Hello (world)")
        var channel = ChannelConfig(name: "li", platform: .linkedin, url: "https://api.linkedin.com")
        channel.settings = ["author": "urn:li:person:42", "client_id": "cid"]
        if let version { channel.settings["version"] = version }
        return DeliveryContext(deliveryID: "d_1", post: post, channel: channel, secrets: ["client_secret": Secret("cs")], part: 1, partCount: 1,
                               rendered: RenderedPart(text: text, length: text.utf16.count, limit: 3000), scheduledAt: now, media: media,
                               session: session)
    }

    func request(_ context: DeliveryContext, _ progress: DeliveryProgress = .start, media: InMemoryMediaSource = InMemoryMediaSource()) throws -> StepRequest {
        let step = LinkedInAdapter().nextStep(for: context, progress: progress, media: media, now: now)
        guard case .request(let request) = step else { throw XTestError("expected a request, got \(step)") }
        return request
    }

    @Test func aPostCarriesTheVersionHeadersAndThePostsAPIBody() throws {
        let create = try request(context())
        #expect(create.name == "create")
        #expect(!create.repeatSafe)
        #expect(create.request.url == "https://api.linkedin.com/rest/posts")
        #expect(create.request.headers.value(for: "LinkedIn-Version") == LinkedInAdapter.defaultVersion)
        #expect(create.request.headers.value(for: "X-Restli-Protocol-Version") == "2.0.0")
        #expect(create.request.headers.value(for: "Authorization") == "Bearer T1")
        #expect(String(decoding: create.request.body, as: UTF8.self) == #"{"author":"urn:li:person:42","commentary":"Hello \\(world\\)","distribution":{"feedDistribution":"MAIN_FEED","targetEntities":[],"thirdPartyDistributionChannels":[]},"isReshareDisabledByAuthor":false,"lifecycleState":"PUBLISHED","visibility":"PUBLIC"}"#)
        #expect(try request(context(version: "202601")).request.headers.value(for: "LinkedIn-Version") == "202601")
    }

    @Test func thePostURNComesFromTheRestliHeaderAndADuplicateIsSentWithTheExistingOne() throws {
        let create = try request(context())
        let adapter = LinkedInAdapter()
        let created = TransportResponse(status: 201, headers: [HTTPHeader("x-restli-id", "urn:li:share:7001")])
        #expect(adapter.read(created, to: create, for: context(), progress: .start)
                == .sent(RemoteReference(id: "urn:li:share:7001", url: "https://www.linkedin.com/feed/update/urn:li:share:7001/")))
        let duplicate = TransportResponse(status: 422, body: Data(#"{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808","errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},"status":422}"#.utf8))
        #expect(adapter.read(duplicate, to: create, for: context(), progress: .start)
                == .sent(RemoteReference(id: "urn:li:share:7141138937766391808", url: "https://www.linkedin.com/feed/update/urn:li:share:7141138937766391808/")))
        let sunset = TransportResponse(status: 426, body: Data(#"{"message":"Requested version 202401 is not active","status":426}"#.utf8))
        guard case .failed(let reason) = adapter.read(sunset, to: create, for: context(version: "202401"), progress: .start) else {
            Issue.record("a sunset version is permanent"); return
        }
        #expect(reason.contains("set the channel's `version:`"))
        guard case .sessionExpired = adapter.read(TransportResponse(status: 401), to: create, for: context(), progress: .start) else {
            Issue.record("401 marks the token expired"); return
        }
    }

    @Test func anExpiredTokenWithoutRefreshTellsTheOperatorToPasteANewOne() {
        let step = LinkedInAdapter().nextStep(for: context(session: ChannelSession(values: ["access_token": "T1"], needsRenewal: true)),
                                              progress: .start, media: InMemoryMediaSource(), now: now)
        #expect(step == .fail("LinkedIn refused the token of channel 'li' (expired or revoked) and LinkedIn gave no refresh token: run `crier auth li --token NEW_TOKEN`"))
        let none = LinkedInAdapter().nextStep(for: context(session: ChannelSession()), progress: .start, media: InMemoryMediaSource(), now: now)
        guard case .fail(let reason) = none else { Issue.record("no token fails"); return }
        #expect(reason.contains("crier auth li --token"))
    }

    @Test func aPartnerRefreshTokenIsUsedWhenTheTokenIsRefusedOrAboutToExpire() throws {
        let session = ChannelSession(values: ["access_token": "T1", "refresh_token": "R1"], expiresAt: now.addingTimeInterval(86_400))
        let refresh = try request(context(session: session))
        #expect(refresh.name == "refresh" && refresh.sessionStep)
        #expect(refresh.request.url == "https://www.linkedin.com/oauth/v2/accessToken")
        #expect(String(decoding: refresh.request.body, as: UTF8.self) == "grant_type=refresh_token&refresh_token=R1&client_id=cid&client_secret=cs")
        let answer = TransportResponse(status: 200, headers: [HTTPHeader("Date", "Sun, 06 Nov 1994 08:49:37 GMT")],
                                       body: Data(#"{"access_token":"T2","expires_in":5184000,"refresh_token":"R1","refresh_token_expires_in":31536000}"#.utf8))
        guard case .renewed(let renewed) = LinkedInAdapter().read(answer, to: refresh, for: context(session: session), progress: .start) else {
            Issue.record("a refresh answer renews the session"); return
        }
        #expect(renewed.values["access_token"] == "T2")
        #expect(renewed.expiresAt == Date(timeIntervalSince1970: 784_111_777 + 5_184_000))
        let fresh = ChannelSession(values: ["access_token": "T1", "refresh_token": "R1"], expiresAt: now.addingTimeInterval(30 * 86_400))
        #expect(try request(context(session: fresh)).name == "create", "a token far from expiry is used as it is")
    }

    @Test func imagesAreInitializedUploadedAndAttached() throws {
        let items = [MediaItem(file: "media/a.png", alt: "First", byteCount: png.count, mimeType: "image/png"),
                     MediaItem(file: "media/b.png", alt: nil, byteCount: png.count, mimeType: "image/png")]
        let media = InMemoryMediaSource(files: ["media/a.png": (png, "image/png"), "media/b.png": (png, "image/png")])
        let context = context(media: items)
        let adapter = LinkedInAdapter()
        var progress = DeliveryProgress.start
        for n in 1...2 {
            let initialize = try request(context, progress, media: media)
            #expect(initialize.name == "init-image[\(n)]")
            #expect(initialize.repeatSafe)
            #expect(initialize.request.url == "https://api.linkedin.com/rest/images?action=initializeUpload")
            #expect(String(decoding: initialize.request.body, as: UTF8.self) == #"{"initializeUploadRequest":{"owner":"urn:li:person:42"}}"#)
            let answer = TransportResponse(status: 200, body: Data(#"{"value":{"uploadUrl":"https://up.example/\#(n)","image":"urn:li:image:C\#(n)"}}"#.utf8))
            guard case .advanced(let next) = adapter.read(answer, to: initialize, for: context, progress: progress) else { Issue.record("init advances"); return }
            let upload = try request(context, next, media: media)
            #expect(upload.name == "upload-image[\(n)]")
            #expect(upload.request.method == "PUT")
            #expect(upload.request.url == "https://up.example/\(n)")
            #expect(upload.request.body == png)
            guard case .advanced(let uploaded) = adapter.read(TransportResponse(status: 201), to: upload, for: context, progress: next) else {
                Issue.record("upload advances"); return
            }
            progress = uploaded
        }
        let create = try request(context, progress, media: media)
        let body = String(decoding: create.request.body, as: UTF8.self)
        #expect(body.contains(#""content":{"multiImage":{"images":[{"altText":"First","id":"urn:li:image:C1"},{"id":"urn:li:image:C2"}]}}"#))
    }

    @Test func theOperatorsURLOfAPostNamesItsURN() {
        let reference = LinkedInAdapter().remoteReference(forURL: "https://www.linkedin.com/feed/update/urn:li:share:7001/")
        #expect(reference.id == "urn:li:share:7001")
    }

    /// LinkedIn cuts a post silently at the first unescaped reserved character of the little text
    /// format; the renderer escapes every one (the list of the "Little Text Format" page).
    @Test func theRendererEscapesEveryReservedCharacter() {
        let body = #"Reserved: ( ) [ ] { } < > # * _ ~ @ | \ and the end."#
        let post = Post(id: "r", file: "r.md", channels: .all, body: body)
        let text = PostRenderer.render(post, channel: "li", platform: .linkedin, options: RenderOptions()).parts[0].text
        #expect(LinkedInFakeServer.visibleText(text) == "Reserved: ( ) [ ] { } < > # * _ ~ @ | \\ and the end.", "\(text)")
        for reserved in #"()[]{}<>#*_~@|"# {
            #expect(text.contains("\\\(reserved)"), "\(reserved) is escaped in \(text)")
        }
    }
}
