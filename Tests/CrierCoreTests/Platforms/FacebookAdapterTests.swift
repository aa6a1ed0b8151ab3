import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// Facebook Pages: photos staged unpublished (safe to repeat), then one `/feed` call that is not.
@Suite struct FacebookAdapterTests {
    struct UnexpectedStep: Error {}

    static let token = "EAApagetoken7"
    let adapter = FacebookAdapter()
    let media = InMemoryMediaSource()

    func context(text: String = "Hello, Page", link: String? = "https://example.com/v2", media: [MediaItem] = [],
                 base: String? = "https://cdn.example/q") -> DeliveryContext {
        var settings = ["page_id": "4242"]
        settings["media_base_url"] = base
        let post = Post(id: "launch", file: "launch.md", channels: .named(["fb"]), tags: [], link: link,
                        media: media.map { PostMedia(file: $0.file, alt: $0.alt) }, body: text)
        return DeliveryContext(deliveryID: "d_1", post: post,
                               channel: ChannelConfig(name: "fb", platform: .facebook, url: "https://graph.example/v23.0", settings: settings),
                               secrets: ["token": Secret(Self.token)], part: 1, partCount: 1,
                               rendered: RenderedPart(text: text, length: text.count, limit: nil), scheduledAt: Date(timeIntervalSince1970: 0),
                               media: media)
    }

    func photo(_ file: String, alt: String?) -> MediaItem {
        MediaItem(file: file, alt: alt, byteCount: 10, mimeType: "image/png", publicURL: "https://cdn.example/q/" + file)
    }

    func step(_ context: DeliveryContext, _ progress: DeliveryProgress) throws -> StepRequest {
        let next = adapter.nextStep(for: context, progress: progress, media: media, now: Date(timeIntervalSince1970: 0))
        guard case .request(let step) = next else {
            Issue.record("expected a request, got \(next)")
            throw UnexpectedStep()
        }
        return step
    }

    func form(_ step: StepRequest) -> [String: String] {
        GraphForm.decode(String(decoding: step.request.body, as: UTF8.self))
    }

    func json(_ text: String, status: Int = 200) -> TransportResponse {
        TransportResponse(status: status, headers: [HTTPHeader("Content-Type", "application/json")], body: Data(text.utf8))
    }

    @Test func aTextPostIsOneFeedCallThatIsNotRepeatSafeThenItsPermalink() throws {
        let context = context()
        let post = try step(context, .start)
        #expect(post.name == "post" && !post.repeatSafe)
        #expect(post.request.url == "https://graph.example/v23.0/4242/feed")
        #expect(post.request.headers.value(for: "Authorization") == "Bearer \(Self.token)")
        #expect(form(post) == ["message": "Hello, Page", "link": "https://example.com/v2"])
        guard case .advanced(let progress) = adapter.read(json(#"{"id":"4242_99"}"#), to: post, for: context, progress: .start) else {
            Issue.record("advanced")
            return
        }
        let permalink = try step(context, progress)
        #expect(permalink.request.url == "https://graph.example/v23.0/4242_99?fields=permalink_url" && permalink.repeatSafe)
        #expect(adapter.read(json(#"{"permalink_url":"https://fb.example/p/99","id":"4242_99"}"#), to: permalink, for: context, progress: progress)
            == .sent(RemoteReference(id: "4242_99", url: "https://fb.example/p/99")))
        #expect(adapter.read(json("{}", status: 500), to: permalink, for: context, progress: progress)
            == .sent(RemoteReference(id: "4242_99", url: nil)), "the post is out: a missing URL never makes it a failure")
    }

    @Test func photosAreStagedUnpublishedWithAltTextThenAttached() throws {
        let context = context(media: [photo("media/a.png", alt: "A chart"), photo("media/b.png", alt: nil)])
        var progress = DeliveryProgress(done: ["check-media[1]", "check-media[2]"])
        let first = try step(context, progress)
        #expect(first.name == "photo[1]" && first.repeatSafe && first.request.url == "https://graph.example/v23.0/4242/photos")
        #expect(form(first) == ["url": "https://cdn.example/q/media/a.png", "published": "false", "alt_text_custom": "A chart"])
        guard case .advanced(let one) = adapter.read(json(#"{"id":"p1"}"#), to: first, for: context, progress: progress) else {
            Issue.record("p1")
            return
        }
        progress = one
        let second = try step(context, progress)
        #expect(form(second) == ["url": "https://cdn.example/q/media/b.png", "published": "false"])
        guard case .advanced(let two) = adapter.read(json(#"{"id":"p2"}"#), to: second, for: context, progress: progress) else {
            Issue.record("p2")
            return
        }
        let post = try step(context, two)
        #expect(form(post) == ["message": "Hello, Page", "attached_media[0]": #"{"media_fbid":"p1"}"#,
                               "attached_media[1]": #"{"media_fbid":"p2"}"#])
    }

    @Test func mediaNeedABaseURLAndAnExpiredPageTokenNamesTheFix() throws {
        guard case .fail(let missing) = adapter.nextStep(for: context(media: [MediaItem(file: "media/a.png", alt: nil, byteCount: 1,
                                                                                        mimeType: "image/png")], base: nil),
                                                         progress: .start, media: media, now: Date()) else {
            Issue.record("no media_base_url")
            return
        }
        #expect(missing.contains("channel 'fb'") && missing.contains("media_base_url"))
        let context = context()
        let post = try step(context, .start)
        let refused = adapter.read(json(#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463}}"#,
                                        status: 400), to: post, for: context, progress: .start)
        guard case .failed(let reason) = refused else { Issue.record("\(refused)"); return }
        #expect(reason.contains("channel 'fb'") && reason.contains("expired") && reason.contains("Page access token") && !reason.contains(Self.token))
    }
}
