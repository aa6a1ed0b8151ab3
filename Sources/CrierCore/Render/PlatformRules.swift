/// What a platform's text limit counts.
public enum LengthUnit: Sendable, Equatable {
    /// twitter-text v3 weighted length (`WeightedLength`).
    case weighted
    /// Extended grapheme clusters (Swift `Character`).
    case graphemes
    /// Unicode scalars (code points).
    case scalars
    /// UTF-16 code units.
    case utf16
    /// UTF-16 code units of the visible text of HTML (tags removed, entities as one character).
    case visibleHTMLUTF16
}

/// The text shape a platform receives.
public enum TextFormat: Sendable, Equatable, Hashable {
    case plain, slackMrkdwn, telegramHTML, discordMarkdown, matrix, linkedInLittle, markdown
}

/// One platform's rendering rules as data: limits, how its limit is counted, its text format, threads,
/// facets, and media counts and alt text. Each platform's row is part of its `PlatformDescriptor`
/// (`Platforms/<Name>/<Name>Platform.swift`), beside the page each number comes from.
public struct PlatformRules: Sendable, Equatable {
    public var platform: Platform
    /// Maximum length of one post (or thread part) in `unit`; nil: none (configure one per channel).
    public var limit: Int?
    /// The limit when media is attached and the text becomes a caption (Telegram); nil: `limit`.
    public var captionLimit: Int?
    /// A second limit in UTF-8 bytes (Bluesky).
    public var maxBytes: Int?
    public var unit: LengthUnit
    /// Every URL counts as this many units, whatever its length; nil: URLs count as written.
    public var urlLength: Int?
    /// Only URLs with `http(s)://` get `urlLength` (Mastodon); else also `example.com/x` (X).
    public var urlsNeedScheme: Bool
    /// `@user@domain` counts as `@user` (Mastodon).
    public var remoteMentionsAsLocal: Bool
    public var format: TextFormat
    /// `tags` become hashtags.
    public var hashtags: Bool
    /// Has replies, so `long: thread` can split.
    public var threads: Bool
    /// Bluesky facets are built for each part.
    public var facets: Bool
    /// Most media items in one post; nil: no documented limit.
    public var maxMedia: Int?
    /// Longest alt text in graphemes; nil: no documented limit.
    public var maxAltLength: Int?
    /// The platform's API takes alt text at all.
    public var supportsAlt: Bool
    /// A post without media is rejected (Instagram).
    public var requiresMedia: Bool
    public var maxHashtags: Int?
    public var maxMentions: Int?

    public init(platform: Platform, limit: Int?, captionLimit: Int? = nil, maxBytes: Int? = nil,
                unit: LengthUnit, urlLength: Int? = nil, urlsNeedScheme: Bool = false,
                remoteMentionsAsLocal: Bool = false, format: TextFormat, hashtags: Bool, threads: Bool = false,
                facets: Bool = false, maxMedia: Int?, maxAltLength: Int?, supportsAlt: Bool = true,
                requiresMedia: Bool = false, maxHashtags: Int? = nil, maxMentions: Int? = nil) {
        self.platform = platform
        self.limit = limit
        self.captionLimit = captionLimit
        self.maxBytes = maxBytes
        self.unit = unit
        self.urlLength = urlLength
        self.urlsNeedScheme = urlsNeedScheme
        self.remoteMentionsAsLocal = remoteMentionsAsLocal
        self.format = format
        self.hashtags = hashtags
        self.threads = threads
        self.facets = facets
        self.maxMedia = maxMedia
        self.maxAltLength = maxAltLength
        self.supportsAlt = supportsAlt
        self.requiresMedia = requiresMedia
        self.maxHashtags = maxHashtags
        self.maxMentions = maxMentions
    }
}
