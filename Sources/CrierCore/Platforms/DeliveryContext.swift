import Foundation

/// Everything a platform adapter needs to build one request: the delivery, the rendered part, the
/// channel and its resolved secrets. Plain data, so building a request is a pure function.
public struct DeliveryContext: Sendable {
    public var deliveryID: String
    public var post: Post
    public var channel: ChannelConfig
    public var secrets: [String: Secret]
    /// 1-based part number and the number of parts (threads).
    public var part: Int
    public var partCount: Int
    /// The exact text of this part, as rendered for the platform.
    public var text: String
    /// When the post was scheduled to go out (its `at`, or when it was accepted).
    public var scheduledAt: Date
    /// The previous part's remote reference, for threads.
    public var replyTo: RemoteReference?

    public init(deliveryID: String, post: Post, channel: ChannelConfig, secrets: [String: Secret], part: Int,
                partCount: Int, text: String, scheduledAt: Date, replyTo: RemoteReference? = nil) {
        self.deliveryID = deliveryID
        self.post = post
        self.channel = channel
        self.secrets = secrets
        self.part = part
        self.partCount = partCount
        self.text = text
        self.scheduledAt = scheduledAt
        self.replyTo = replyTo
    }
}
