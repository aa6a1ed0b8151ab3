import Foundation

/// A post as its file describes it: what to say, where, and when. Parsed by `PostParser`; the file is
/// the source of truth for content, the journal for what was sent.
public struct Post: Sendable, Equatable {
    /// The post id: the `id:` field, else the file name without its extension.
    public var id: String
    /// The file name inside the queue directory (e.g. `launch.md`).
    public var file: String
    /// When to send; nil means "now" (or each channel's next slot once slots exist).
    public var at: Date?
    public var channels: ChannelSelection
    public var tags: [String]
    public var link: String?
    public var media: [PostMedia]
    /// `media` as the intake found the files on disk (type and size read from the bytes), in the same
    /// order; nil when nobody looked (a post parsed from bytes alone, or one whose channels take no
    /// media limits). The renderer checks them against each channel's platform (`MediaLimitCheck`).
    public var mediaItems: [MediaItem]?
    /// Seconds after the scheduled time after which the post is not sent any more ("expired").
    public var expire: TimeInterval?
    public var long: LongPolicy?
    /// `content_warning:`: Mastodon's `spoiler_text` (the text shown before the post is opened).
    public var contentWarning: String?
    /// `language:`: the post's language (ISO 639), for platforms that take one (Mastodon, Bluesky).
    public var language: String?
    /// `card:`: the link card for `link:` on platforms that do not fetch the page (Bluesky).
    public var card: LinkCard?
    /// Body overrides keyed by channel name or platform name.
    public var variants: [String: String]
    /// The body: Markdown for `.md`, the `text` field for `.json`.
    public var body: String
    /// Line (1-based) of each top-level field in the file, and of each media entry as `media[N]`, for
    /// error messages that point at it.
    public var fieldLines: [String: Int]
    /// `approval: required`: not sent on any channel until approved (`crier approve`).
    public var approvalRequired: Bool = false

    public init(id: String, file: String, at: Date? = nil, channels: ChannelSelection, tags: [String] = [],
                link: String? = nil, media: [PostMedia] = [], expire: TimeInterval? = nil,
                long: LongPolicy? = nil, variants: [String: String] = [:], body: String,
                fieldLines: [String: Int] = [:], mediaItems: [MediaItem]? = nil) {
        self.id = id
        self.file = file
        self.at = at
        self.channels = channels
        self.tags = tags
        self.link = link
        self.media = media
        self.mediaItems = mediaItems
        self.expire = expire
        self.long = long
        self.variants = variants
        self.body = body
        self.fieldLines = fieldLines
    }

    /// The body for a channel: a variant keyed by the channel's name wins over one keyed by its
    /// platform, which wins over the post's body.
    public func body(forChannel channel: String, platform: Platform) -> String {
        variants[channel] ?? variants[platform.rawValue] ?? body
    }
}
