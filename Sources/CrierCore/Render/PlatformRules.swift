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

/// One platform's rules as data: limits, how its limit is counted, its text format, and its media rules.
/// `PlatformRules.table` is the single place these numbers live; each row cites the page it comes from.
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

    /// The rules for `platform`.
    public static func rules(for platform: Platform) -> PlatformRules {
        byPlatform[platform.rulesIndex]
    }

    /// One row per platform.
    public static let table: [PlatformRules] = [
        // X: 280 weighted, URLs 23 (t.co) with or without scheme, emoji 2.
        //   "Counting characters" https://docs.x.com/resources/fundamentals/counting-characters
        //   and twitter-text v3 config https://github.com/twitter/twitter-text/blob/master/config/v3.json
        // Media: up to 4 photos — "Media best practices" https://docs.x.com/x-api/media/quickstart/best-practices
        // Alt text: 1000 characters — "POST media/metadata/create"
        //   https://developer.x.com/en/docs/x-api/v1/media/upload-media/api-reference/post-media-metadata-create
        PlatformRules(platform: .x, limit: 280, unit: .weighted, urlLength: 23, format: .plain, hashtags: true,
                      threads: true, maxMedia: 4, maxAltLength: 1000),
        // Mastodon: 500 by default (instance `configuration.statuses.max_characters`), graphemes, URLs 23
        //   (`characters_reserved_per_url`, only http(s) URLs), remote mentions as the local part.
        //   "POST /api/v1/statuses" https://docs.joinmastodon.org/methods/statuses/#create and
        //   "Instance configuration" https://docs.joinmastodon.org/entities/Instance/#statuses
        //   (StatusLengthValidator: https://github.com/mastodon/mastodon/blob/main/app/validators/status_length_validator.rb)
        // Media: `max_media_attachments` 4; description 1500 characters
        //   "POST /api/v2/media" https://docs.joinmastodon.org/methods/media/#v2
        //   (MediaAttachment::MAX_DESCRIPTION_LENGTH = 1_500)
        PlatformRules(platform: .mastodon, limit: 500, unit: .graphemes, urlLength: 23, urlsNeedScheme: true,
                      remoteMentionsAsLocal: true, format: .plain, hashtags: true, threads: true,
                      maxMedia: 4, maxAltLength: 1500),
        // Bluesky: 300 graphemes and 3000 UTF-8 bytes (lexicon app.bsky.feed.post `text`:
        //   maxGraphemes 300, maxLength 3000) https://docs.bsky.app/docs/advanced-guides/post-richtext
        //   https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json
        // Media: app.bsky.embed.images maxLength 4
        //   https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json
        //   Alt text: the lexicon sets no limit; 2000 graphemes is the official app's MAX_ALT_TEXT
        //   (bluesky-social/social-app src/lib/constants.ts) — not an API rule.
        PlatformRules(platform: .bluesky, limit: 300, maxBytes: 3000, unit: .graphemes, format: .plain,
                      hashtags: true, threads: true, facets: true, maxMedia: 4, maxAltLength: 2000),
        // Threads: 500 characters per post; carousel 2–20 items; `alt_text` has no documented limit.
        //   "Threads API — Posts" https://developers.facebook.com/docs/threads/posts
        //   "Troubleshooting/limits" https://developers.facebook.com/docs/threads/troubleshooting
        PlatformRules(platform: .threads, limit: 500, unit: .graphemes, format: .plain, hashtags: true,
                      threads: true, maxMedia: 20, maxAltLength: nil),
        // LinkedIn: commentary 3000 characters (counted on the raw little-text string, UTF-16 as in Java —
        //   conservative), little text format with reserved characters escaped.
        //   "Posts API" https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
        //   "Little Text Format" https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
        // Media: MultiImage 2–20 images; image altText up to 4086 characters
        //   "MultiImage API" https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api
        PlatformRules(platform: .linkedin, limit: 3000, unit: .utf16, format: .linkedInLittle, hashtags: true,
                      maxMedia: 20, maxAltLength: 4086),
        // Facebook Page post: 63,206 characters. "Page Feed" https://developers.facebook.com/docs/graph-api/reference/page/feed
        //   (limit from Facebook Help "How many characters can I use in a post"); no documented image count
        //   for `attached_media`; alt text via `alt_text_custom` on the photo, no documented length.
        PlatformRules(platform: .facebook, limit: 63_206, unit: .graphemes, format: .plain, hashtags: true,
                      maxMedia: nil, maxAltLength: nil),
        // Instagram: caption 2200 characters, at most 30 hashtags and 20 @ tags; a post needs media;
        //   carousel up to 10 items. "IG User Media" https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
        //   "Content Publishing" https://developers.facebook.com/docs/instagram-platform/content-publishing
        //   Alt text: `alt_text` on image containers, no documented length.
        PlatformRules(platform: .instagram, limit: 2200, unit: .graphemes, format: .plain, hashtags: true,
                      maxMedia: 10, maxAltLength: nil, requiresMedia: true, maxHashtags: 30, maxMentions: 20),
        // Telegram: sendMessage text 1–4096 characters after entities parsing, captions 0–1024; albums
        //   (sendMediaGroup) 2–10 items; no alt text. Telegram counts UTF-16 code units.
        //   "Telegram Bot API" https://core.telegram.org/bots/api#sendmessage ,
        //   https://core.telegram.org/bots/api#sendmediagroup , https://core.telegram.org/bots/api#html-style
        PlatformRules(platform: .telegram, limit: 4096, captionLimit: 1024, unit: .visibleHTMLUTF16,
                      format: .telegramHTML, hashtags: true, maxMedia: 10, maxAltLength: nil, supportsAlt: false),
        // Discord: message content up to 2000 characters; up to 10 attachments; attachment `description`
        //   (alt text) up to 1024 characters. "Create Message" https://discord.com/developers/docs/resources/message#create-message
        //   "Attachment Object" https://discord.com/developers/docs/resources/message#attachment-object
        PlatformRules(platform: .discord, limit: 2000, unit: .scalars, format: .discordMarkdown, hashtags: false,
                      maxMedia: 10, maxAltLength: 1024),
        // Slack: `text` is truncated beyond 40,000 characters. "chat.postMessage"
        //   https://api.slack.com/methods/chat.postMessage#truncating ; "Formatting text"
        //   https://api.slack.com/reference/surfaces/formatting#escaping ; files.completeUploadExternal takes
        //   up to 10 files? (not documented clearly — see report) with `alt_txt`
        //   https://api.slack.com/methods/files.completeUploadExternal ; image block alt_text max 2000.
        PlatformRules(platform: .slack, limit: 40_000, unit: .scalars, format: .slackMrkdwn, hashtags: false,
                      maxMedia: 10, maxAltLength: 2000),
        // Matrix: no text limit but the 65,536-byte event limit; one image per m.image event (its `body` is
        //   the alt text). "Client-Server API m.room.message" https://spec.matrix.org/latest/client-server-api/#mroommessage
        //   and "Size limits" https://spec.matrix.org/latest/client-server-api/#size-limits
        PlatformRules(platform: .matrix, limit: nil, unit: .graphemes, format: .matrix, hashtags: false,
                      maxMedia: nil, maxAltLength: nil),
        // Webhook: crier's own JSON; the body Markdown travels unchanged, tags and link as fields.
        PlatformRules(platform: .webhook, limit: nil, unit: .graphemes, format: .markdown, hashtags: false,
                      maxMedia: nil, maxAltLength: nil),
    ]

    private static let byPlatform: [PlatformRules] = Platform.allCases.map { platform in
        guard let row = table.first(where: { $0.platform == platform }) else {
            preconditionFailure("PlatformRules.table has no row for \(platform)")
        }
        return row
    }
}

extension Platform {
    /// The position in `allCases`, for array-backed tables.
    var rulesIndex: Int {
        switch self {
        case .webhook: 0
        case .mastodon: 1
        case .bluesky: 2
        case .x: 3
        case .threads: 4
        case .linkedin: 5
        case .facebook: 6
        case .instagram: 7
        case .telegram: 8
        case .discord: 9
        case .slack: 10
        case .matrix: 11
        }
    }
}
