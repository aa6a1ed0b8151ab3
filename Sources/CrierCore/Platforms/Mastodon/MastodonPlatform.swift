/// Mastodon (and servers speaking its client API): `POST /api/v1/statuses`, media through
/// `POST /api/v2/media`. Instances configure their own limits (`GET /api/v2/instance`); these are
/// Mastodon's defaults, and a channel's `limit:` overrides the text length.
public enum MastodonPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .mastodon,
        // Config keys: `url` (instance), `token`*, `visibility`, `language`, `sensitive`. The token is an
        // OAuth2 user token with write:statuses and write:media.
        secretKeys: ["token"],
        settingKeys: ["visibility", "language", "sensitive"],
        requiredKeys: [["token"]],
        // 500 by default (instance `configuration.statuses.max_characters`), graphemes, URLs 23
        //   (`characters_reserved_per_url`, only http(s) URLs), remote mentions as the local part.
        //   "POST /api/v1/statuses" https://docs.joinmastodon.org/methods/statuses/#create and
        //   "Instance configuration" https://docs.joinmastodon.org/entities/Instance/#statuses
        //   (StatusLengthValidator: https://github.com/mastodon/mastodon/blob/main/app/validators/status_length_validator.rb)
        // Media: `max_media_attachments` 4; description 1500 characters
        //   "POST /api/v2/media" https://docs.joinmastodon.org/methods/media/#v2
        //   (MediaAttachment::MAX_DESCRIPTION_LENGTH = 1_500)
        rules: PlatformRules(platform: .mastodon, limit: 500, unit: .graphemes, urlLength: 23, urlsNeedScheme: true,
                             remoteMentionsAsLocal: true, format: .plain, hashtags: true, threads: true,
                             maxMedia: 4, maxAltLength: 1500),
        // 300 statuses per 3 hours per account.
        // https://docs.joinmastodon.org/api/rate-limits/ — "Rate limits" (Mastodon documentation);
        // enforced by RateLimiter's `statuses` family (limit 300, period 3.hours) in mastodon/mastodon.
        limits: ChannelLimits(windows: [RateWindow(count: 300, seconds: 3 * 3_600)]),
        duplicates: DuplicateSettings(policy: .hold),
        // The documented instance example, `configuration.media_attachments`: image_size_limit
        //   16,777,216 bytes, video_size_limit 103,809,024 bytes (99 MiB), image_matrix_limit
        //   33,177,600 pixels, and supported_mime_types (the image and video ones crier recognises;
        //   Mastodon also takes audio). https://docs.joinmastodon.org/entities/Instance/#media_attachments
        //   (mastodon/documentation content/en/entities/Instance.md, read 2026-07). Instances may differ.
        media: MediaLimits(imageTypes: ["image/jpeg", "image/png", "image/gif", "image/heic", "image/heif",
                                        "image/webp", "image/avif"],
                           videoTypes: ["video/webm", "video/mp4", "video/quicktime", "video/ogg"],
                           maxImageBytes: 16_777_216, maxVideoBytes: 103_809_024, maxImagePixels: 33_177_600))
}
