import Foundation

/// Everything a platform adapter is given about one delivery: the rendered part (text, facets, HTML),
/// the post, the channel with its resolved secrets, the media, and the remote references of the
/// earlier parts of the same post on this channel (threads). Plain data, so every step an adapter
/// builds is a pure function of this, the delivery's progress and the time.
public struct DeliveryContext: Sendable {
    public var deliveryID: String
    public var post: Post
    public var channel: ChannelConfig
    public var secrets: [String: Secret]
    /// 1-based part number and the number of parts (threads).
    public var part: Int
    public var partCount: Int
    /// This part exactly as rendered for the platform: text, its length, facets, formatted HTML.
    public var rendered: RenderedPart
    /// When the post was scheduled to go out (its `at`, or when it was accepted).
    public var scheduledAt: Date
    /// The remote references of parts 1…part-1 on this channel, in order (nil where a part's
    /// platform answered without one).
    public var earlierParts: [RemoteReference?]
    /// The post's media as the channel sees them (type, size, dimensions, public URL).
    public var media: [MediaItem]
    /// What crier keeps for the channel (a login's tokens, a resolved room id, server limits).
    public var session: ChannelSession

    public init(deliveryID: String, post: Post, channel: ChannelConfig, secrets: [String: Secret], part: Int,
                partCount: Int, rendered: RenderedPart, scheduledAt: Date, earlierParts: [RemoteReference?] = [],
                media: [MediaItem] = [], session: ChannelSession = .none) {
        self.deliveryID = deliveryID
        self.post = post
        self.channel = channel
        self.secrets = secrets
        self.part = part
        self.partCount = partCount
        self.rendered = rendered
        self.scheduledAt = scheduledAt
        self.earlierParts = earlierParts
        self.media = media
        self.session = session
    }

    /// The exact text of this part.
    public var text: String { rendered.text }

    /// The previous part's remote reference: what this part replies to in a thread.
    public var replyTo: RemoteReference? { earlierParts.last ?? nil }

    /// Part 1's remote reference: the root of the thread (nil for part 1 itself).
    public var threadRoot: RemoteReference? { earlierParts.first ?? nil }
}
