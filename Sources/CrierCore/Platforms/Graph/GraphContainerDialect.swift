/// What differs between the two Graph APIs that publish through media containers (Threads and
/// Instagram): edge and field names, token grants, and what a post may be. `GraphContainerAdapter`
/// speaks both from this.
public struct GraphContainerDialect: Sendable, Equatable {
    public var platform: Platform
    /// The platform's name in messages: `Threads`, `Instagram`.
    public var name: String
    /// `POST /{user}/<edge>` creates a container; `GET` lists the user's posts.
    public var createEdge: String
    /// `POST /{user}/<edge>?creation_id=` publishes one.
    public var publishEdge: String
    /// Where later parts of a thread are listed (Threads: `replies`), for reconciling them.
    public var replyListEdge: String?
    /// The text's field: `text` (Threads), `caption` (Instagram).
    public var textField: String
    /// A container's status field: `status` (Threads), `status_code` (Instagram).
    public var statusField: String
    /// The `media_type` of a text-only post; nil: a post needs media.
    public var textMediaType: String?
    /// The `media_type` of an image; nil: none is sent (Instagram's default is an image).
    public var imageMediaType: String?
    /// The `media_type` of a single video: `VIDEO` (Threads), `REELS` (Instagram).
    public var singleVideoType: String
    /// Whether later parts reply to the previous one (`reply_to_id`).
    public var threads: Bool
    /// Children a carousel takes.
    public var carouselRange: ClosedRange<Int>
    /// `GET /{user}/<edge>?fields=quota_usage,config`.
    public var quotaEdge: String
    /// Whether the quota answer has a separate reply quota (`reply_quota_usage`, `reply_config`).
    public var replyQuota: Bool
    public var refreshGrant: String
    public var exchangeGrant: String
    /// The default API root, for messages and docs.
    public var defaultURL: String
    /// Where an authorization code is exchanged for a token (`POST`).
    public var codeTokenURL: String

    public init(platform: Platform, name: String, createEdge: String, publishEdge: String, replyListEdge: String?, textField: String,
                statusField: String, textMediaType: String?, imageMediaType: String?, singleVideoType: String, threads: Bool, carouselRange: ClosedRange<Int>,
                quotaEdge: String, replyQuota: Bool, refreshGrant: String, exchangeGrant: String, defaultURL: String, codeTokenURL: String) {
        self.platform = platform
        self.name = name
        self.createEdge = createEdge
        self.publishEdge = publishEdge
        self.replyListEdge = replyListEdge
        self.textField = textField
        self.statusField = statusField
        self.textMediaType = textMediaType
        self.imageMediaType = imageMediaType
        self.singleVideoType = singleVideoType
        self.threads = threads
        self.carouselRange = carouselRange
        self.quotaEdge = quotaEdge
        self.replyQuota = replyQuota
        self.refreshGrant = refreshGrant
        self.exchangeGrant = exchangeGrant
        self.defaultURL = defaultURL
        self.codeTokenURL = codeTokenURL
    }
}
