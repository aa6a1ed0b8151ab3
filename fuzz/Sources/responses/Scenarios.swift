import CrierCore
import Foundation

/// The deliveries the `responses` target walks: one channel per platform adapter (and per mode where
/// an adapter has two), shaped like the adapters' unit tests build them (Tests/CrierCoreTests/Platforms).
/// Every secret and session credential is a distinctive string of its own, so an answer that quotes
/// one can be told apart (`Scenario.credentials`).
let now = Date(timeIntervalSince1970: 1_800_000_000)

/// What the input's flags byte chooses about a delivery.
struct ScenarioFlags {
    var byte: UInt8
    /// Part 2 of a thread (part 1's remote reference known).
    var threadPart: Bool { byte & 0x01 != 0 }
    /// Part 1 carries an image.
    var image: Bool { byte & 0x02 != 0 }
    /// …and a video (X's chunked upload, Mastodon's processing, Telegram's album).
    var video: Bool { byte & 0x04 != 0 }
    /// The session needs renewal, or there is none yet (a login, a refresh, a lookup).
    var renew: Bool { byte & 0x08 != 0 }
    /// The post expires an hour from now (the classifier's `expiresAt`).
    var expires: Bool { byte & 0x10 != 0 }
    /// The adapter's other mode (X OAuth 1.0a, Discord and Slack webhooks, Matrix password login,
    /// a Matrix room alias).
    var alternative: Bool { byte & 0x20 != 0 }
    /// Walk `crier check --online` (nextProbeStep/readProbe) instead of a delivery.
    var probe: Bool { byte & 0x80 != 0 }
}

struct Scenario {
    var name: String
    var adapter: any PlatformAdapter
    var channel: ChannelConfig
    var secrets: [String: Secret]
    var session: ChannelSession
    var body: String
    var media: [MediaItem]
    /// Part 1's reference, for part 2 of a thread.
    var parentReference: RemoteReference

    /// Every credential value of the delivery: its secrets and the session's tokens.
    var credentials: [String] {
        Array(secrets.values.map(\.value)) + ["access_token", "refresh_token"].compactMap { session.values[$0] }
    }
}

/// A tiny PNG (1×1), the bytes of every image.
let pngBytes = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")!
/// Six bytes standing for an MP4.
let videoBytes = Data([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70] + [UInt8](repeating: 0x20, count: 24))

struct FixedMedia: MediaSource {
    func items(of post: Post, publicBaseURL: String?) throws(MediaError) -> [MediaItem] { [] }
    func bytes(of item: MediaItem) throws(MediaError) -> Data { item.isVideo ? videoBytes : pngBytes }
}

/// A JWT-shaped token with `exp` a day after `now` (Bluesky reads the expiry from it).
let blueskyAccess = "eyJhbGciOiJIUzI1NiJ9." + Data(#"{"exp":1800086400,"sub":"did:plc:fuzz"}"#.utf8).base64EncodedString()
    .replacingOccurrences(of: "=", with: "") + ".c2lnLWZ1enotYmx1ZXNreQ"

let scenarioCount = 12

func scenario(_ index: Int, _ flags: ScenarioFlags) -> Scenario {
    func channel(_ name: String, _ platform: Platform, _ url: String, _ settings: [String: String] = [:]) -> ChannelConfig {
        ChannelConfig(name: name, platform: platform, url: url, settings: settings)
    }
    let publicBase = "https://cdn.example/q"
    func image(publicURL: Bool = false) -> MediaItem {
        MediaItem(file: "media/chart.png", alt: "A chart going up", byteCount: pngBytes.count, mimeType: "image/png", width: 1, height: 1,
                  publicURL: publicURL ? MediaItem.publicURL(base: publicBase, file: "media/chart.png") : nil)
    }
    func video(publicURL: Bool = false) -> MediaItem {
        MediaItem(file: "media/clip.mp4", alt: "A clip", byteCount: videoBytes.count, mimeType: "video/mp4",
                  publicURL: publicURL ? MediaItem.publicURL(base: publicBase, file: "media/clip.mp4") : nil)
    }
    func media(publicURL: Bool = false, imageAlways: Bool = false) -> [MediaItem] {
        var items: [MediaItem] = []
        if flags.image || imageAlways { items.append(image(publicURL: publicURL)) }
        if flags.video { items.append(video(publicURL: publicURL)) }
        return items
    }
    let text = "We just shipped **v2**: faster builds, [notes](https://example.com/notes) #crier"
    switch index % scenarioCount {
    case 0:
        return Scenario(name: "webhook", adapter: WebhookAdapter(), channel: channel("ops", .webhook, "http://127.0.0.1:8787/hook"),
                        secrets: ["secret": Secret("whsec_" + Data("crier fuzz signing key, 32 bytes".utf8).base64EncodedString())],
                        session: .none, body: text, media: [], parentReference: RemoteReference(id: "evt_1", url: nil))
    case 1:
        let limits = flags.renew ? ChannelSession.none
            : ChannelSession(values: ["max_characters": "500", "max_media_attachments": "4", "image_size_limit": "16777216"])
        return Scenario(name: "mastodon", adapter: MastodonAdapter(),
                        channel: channel("fosstodon", .mastodon, "https://social.example/", ["visibility": "unlisted", "language": "en"]),
                        secrets: ["token": Secret("tok-mastodon-FUZZSECRET")], session: limits, body: text, media: media(),
                        parentReference: RemoteReference(id: "110000000000000001", url: "https://social.example/@crier/110000000000000001"))
    case 2:
        let session = flags.renew
            ? (flags.alternative ? ChannelSession(values: ["access_token": blueskyAccess, "refresh_token": "bsky-refresh-FUZZSECRET",
                                                           "did": "did:plc:fuzz"], needsRenewal: true) : ChannelSession.none)
            : ChannelSession(values: ["access_token": blueskyAccess, "refresh_token": "bsky-refresh-FUZZSECRET", "did": "did:plc:fuzz"],
                             expiresAt: now.addingTimeInterval(86_400))
        return Scenario(name: "bluesky", adapter: BlueskyAdapter(),
                        channel: channel("sky", .bluesky, "https://pds.example", ["handle": "crier.test"]),
                        secrets: ["app_password": Secret("bsky-app-pw-FUZZSECRET")], session: session,
                        body: "Thanks @alice.test! " + text, media: media().filter(\.isImage),
                        parentReference: RemoteReference(id: "at://did:plc:fuzz/app.bsky.feed.post/3kabcdefghij2",
                                                         url: "https://bsky.app/profile/did:plc:fuzz/post/3kabcdefghij2"))
    case 3:
        if flags.alternative {
            return Scenario(name: "x-oauth1", adapter: XAdapter(), channel: channel("social", .x, "https://api.x.com"),
                            secrets: ["consumer_key": Secret("x-ck-FUZZSECRET"), "consumer_secret": Secret("x-cs-FUZZSECRET"),
                                      "access_token": Secret("x-at-FUZZSECRET"), "access_token_secret": Secret("x-ats-FUZZSECRET")],
                            session: .none, body: text, media: media(),
                            parentReference: RemoteReference(id: "1800000000000000001", url: "https://x.com/i/status/1800000000000000001"))
        }
        let session = ChannelSession(values: ["access_token": "x-access-FUZZSECRET", "refresh_token": "x-refresh-FUZZSECRET"],
                                     expiresAt: now.addingTimeInterval(7_200), needsRenewal: flags.renew)
        return Scenario(name: "x-oauth2", adapter: XAdapter(), channel: channel("social", .x, "https://api.x.com", ["client_id": "x-client"]),
                        secrets: ["client_secret": Secret("x-client-secret-FUZZSECRET")], session: session, body: text, media: media(),
                        parentReference: RemoteReference(id: "1800000000000000001", url: "https://x.com/i/status/1800000000000000001"))
    case 4, 5:
        let threads = index % scenarioCount == 4
        // Issued 40 days ago: refreshed when under 30 days are left (the renewal flag).
        let session = ChannelSession(values: ["access_token": "graph-access-FUZZSECRET",
                                              "issued_at": String(Int(now.timeIntervalSince1970) - 40 * 86_400), "refreshable": "true"],
                                     expiresAt: now.addingTimeInterval(TimeInterval(flags.renew ? 20 : 50) * 86_400))
        return Scenario(name: threads ? "threads" : "instagram",
                        adapter: GraphContainerAdapter(dialect: threads ? .threads : .instagram),
                        channel: channel("th", threads ? .threads : .instagram, "https://graph.example/v1.0",
                                         ["user_id": "17841400000000001", "poll_interval": "30s"]),
                        secrets: ["client_secret": Secret("graph-app-secret-FUZZSECRET")], session: session, body: text,
                        media: media(publicURL: true, imageAlways: !threads),
                        parentReference: RemoteReference(id: "17900000000000001", url: flags.renew ? "https://www.threads.net/@crier/post/C1abc" : nil))
    case 6:
        return Scenario(name: "facebook", adapter: FacebookAdapter(),
                        channel: channel("fb", .facebook, "https://graph.example/v23.0", ["page_id": "100000000000001"]),
                        secrets: ["token": Secret("fb-page-token-FUZZSECRET")], session: .none, body: text,
                        media: media(publicURL: true).filter(\.isImage),
                        parentReference: RemoteReference(id: "100000000000001_200000000000001", url: nil))
    case 7:
        let session = ChannelSession(values: ["access_token": "li-access-FUZZSECRET", "refresh_token": "li-refresh-FUZZSECRET"],
                                     expiresAt: now.addingTimeInterval(50 * 86_400), needsRenewal: flags.renew)
        return Scenario(name: "linkedin", adapter: LinkedInAdapter(),
                        channel: channel("li", .linkedin, "https://api.linkedin.com", ["author": "urn:li:person:fuzz", "client_id": "li-client"]),
                        secrets: ["client_secret": Secret("li-client-secret-FUZZSECRET")], session: session, body: text,
                        media: media().filter(\.isImage),
                        parentReference: RemoteReference(id: "urn:li:share:7000000000000000001", url: nil))
    case 8:
        return Scenario(name: "telegram", adapter: TelegramAdapter(),
                        channel: channel("tg", .telegram, "https://api.telegram.org", ["chat": "-1001234567890"]),
                        secrets: ["token": Secret("123456789:AAEfuzzFUZZSECRETtelegram_token")], session: .none, body: text, media: media(),
                        parentReference: RemoteReference(id: "42", url: "https://t.me/c/1234567890/42"))
    case 9:
        if flags.alternative {
            return Scenario(name: "discord-webhook", adapter: DiscordAdapter(), channel: channel("dc", .discord, "https://discord.com/api/v10"),
                            secrets: ["webhook_url": Secret("https://discord.com/api/webhooks/123456/dcwebhookFUZZSECRET")],
                            session: flags.renew ? ChannelSession.none : ChannelSession(values: ["guild_id": "777"]), body: text, media: media(),
                            parentReference: RemoteReference(id: "1100000000000000001", url: nil))
        }
        return Scenario(name: "discord-bot", adapter: DiscordAdapter(),
                        channel: channel("dc", .discord, "https://discord.com/api/v10", ["channel": "555"]),
                        secrets: ["token": Secret("discord-bot-token-FUZZSECRET")],
                        session: flags.renew ? ChannelSession.none : ChannelSession(values: ["guild_id": "777"]), body: text, media: media(),
                        parentReference: RemoteReference(id: "1100000000000000001", url: "https://discord.com/channels/777/555/1100000000000000001"))
    case 10:
        if flags.alternative {
            return Scenario(name: "slack-webhook", adapter: SlackAdapter(), channel: channel("sl", .slack, "https://slack.com/api"),
                            secrets: ["webhook_url": Secret("https://hooks.slack.com/services/T000/B000/slackhookFUZZSECRET")],
                            session: .none, body: text, media: [], parentReference: RemoteReference(id: nil, url: nil))
        }
        return Scenario(name: "slack-bot", adapter: SlackAdapter(), channel: channel("sl", .slack, "https://slack.com/api", ["channel": "C0123456789"]),
                        secrets: ["token": Secret("xoxb-slack-bot-FUZZSECRET")], session: .none, body: text, media: media(),
                        parentReference: RemoteReference(id: "1700000000.123456", url: "https://x.slack.com/archives/C0123456789/p1700000000123456"))
    default:
        let room = flags.renew ? "#news:crier.test" : "!abcdef:crier.test"
        if flags.alternative {
            return Scenario(name: "matrix-password", adapter: MatrixAdapter(),
                            channel: channel("room", .matrix, "https://matrix.example/", ["room": room, "user": "@crier:crier.test"]),
                            secrets: ["password": Secret("matrix-password-FUZZSECRET")],
                            session: flags.image ? ChannelSession(values: ["access_token": "syt_session_FUZZSECRET",
                                                                           "refresh_token": "syr_refresh_FUZZSECRET"], needsRenewal: flags.video)
                                : ChannelSession.none,
                            body: text, media: media(), parentReference: RemoteReference(id: "$event1", url: nil))
        }
        return Scenario(name: "matrix-token", adapter: MatrixAdapter(),
                        channel: channel("room", .matrix, "https://matrix.example/", ["room": room]),
                        secrets: ["token": Secret("syt_token_FUZZSECRET")], session: .none, body: text, media: media(),
                        parentReference: RemoteReference(id: "$event1", url: nil))
    }
}

extension Scenario {
    /// The delivery context of part 1 (or part 2 of two) of the scenario's post, rendered for the
    /// platform by the real renderer.
    func context(_ flags: ScenarioFlags) -> DeliveryContext {
        let part = flags.threadPart ? 2 : 1
        let post = Post(id: "launch", file: "launch.md", channels: .named([channel.name]), tags: ["release"], link: "https://example.com/v2",
                        media: media.map { PostMedia(file: $0.file, alt: $0.alt) }, body: body, mediaItems: media)
        let variant = PostRenderer.render(post, channel: channel.name, platform: channel.platform,
                                          options: RenderOptions(limit: nil, long: .thread, requireAlt: false))
        let rendered = variant.parts.first ?? RenderedPart(text: body, length: body.count, limit: nil)
        return DeliveryContext(deliveryID: "d_fuzzfuzzfuzzfuzzfuzzfuzz", post: post, channel: channel, secrets: secrets, part: part,
                               partCount: max(part, variant.parts.count), rendered: rendered, scheduledAt: now,
                               earlierParts: part > 1 ? [parentReference] : [], media: part == 1 ? media : [], session: session)
    }
}
