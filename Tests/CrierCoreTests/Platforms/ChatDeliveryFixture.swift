import CrierCore
import Foundation

/// Delivery contexts for the chat adapters' tests: a post rendered by the real renderer for a
/// channel of the platform, one part of it, with the channel's secrets and settings.
struct ChatDeliveryFixture {
    var platform: Platform
    var url: String
    var secrets: [String: String]
    var settings: [String: String]
    var channelName = "news"

    func channel() -> ChannelConfig {
        ChannelConfig(name: channelName, platform: platform, url: url,
                      secrets: secrets.mapValues { SecretReference($0) }, settings: settings)
    }

    /// The rendered parts of a post with `body` for this channel.
    func parts(_ body: String, link: String? = nil, media: [PostMedia] = [], mediaItems: [MediaItem]? = nil,
               long: LongPolicy = .thread, limit: Int? = nil) -> [RenderedPart] {
        let post = Post(id: "launch", file: "launch.md", channels: .named([channelName]), link: link, media: media, body: body,
                        mediaItems: mediaItems)
        return PostRenderer.render(post, channel: channelName, platform: platform,
                                   options: RenderOptions(limit: limit, long: long, requireAlt: false)).parts
    }

    /// Part `part` of a post with `body`, delivered under `deliveryID`.
    func context(_ body: String, part: Int = 1, deliveryID: String = "d_aaaaaaaaaaaaaaaaaaaaaaaa", earlier: [RemoteReference?] = [],
                 link: String? = nil, media: [MediaItem] = [], limit: Int? = nil) -> DeliveryContext {
        let postMedia = media.map { PostMedia(file: $0.file, alt: $0.alt) }
        let rendered = parts(body, link: link, media: postMedia, limit: limit)
        let post = Post(id: "launch", file: "launch.md", channels: .named([channelName]), link: link, media: postMedia, body: body)
        return DeliveryContext(deliveryID: deliveryID, post: post, channel: channel(), secrets: secrets.mapValues { Secret($0) },
                               part: part, partCount: rendered.count, rendered: rendered[min(part, rendered.count) - 1],
                               scheduledAt: Date(timeIntervalSince1970: 1_800_000_000), earlierParts: earlier, media: media)
    }

    /// A context with exactly this rendered text (for answers the renderer would never produce).
    func context(rawText: String, part: Int = 1, partCount: Int = 1, earlier: [RemoteReference?] = []) -> DeliveryContext {
        let post = Post(id: "launch", file: "launch.md", channels: .named([channelName]), body: rawText)
        return DeliveryContext(deliveryID: "d_bbbbbbbbbbbbbbbbbbbbbbbb", post: post, channel: channel(), secrets: secrets.mapValues { Secret($0) },
                               part: part, partCount: partCount, rendered: RenderedPart(text: rawText, length: rawText.count, limit: nil),
                               scheduledAt: Date(timeIntervalSince1970: 1_800_000_000), earlierParts: earlier)
    }
}
