/// Bluesky (AT Protocol): `com.atproto.repo.createRecord` of an `app.bsky.feed.post`, images as
/// blobs, links and mentions as facets with UTF-8 byte offsets.
public enum BlueskyPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .bluesky,
        // Config keys: `url` (PDS), `handle`, `app_password`* (createSession's identifier and password).
        secretKeys: ["app_password"],
        settingKeys: ["handle"],
        requiredKeys: [["handle", "app_password"]],
        // 300 graphemes and 3000 UTF-8 bytes (lexicon app.bsky.feed.post `text`:
        //   maxGraphemes 300, maxLength 3000) https://docs.bsky.app/docs/advanced-guides/post-richtext
        //   https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json
        // Media: app.bsky.embed.images maxLength 4
        //   https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json
        //   Alt text: the lexicon sets no limit; 2000 graphemes is the official app's MAX_ALT_TEXT
        //   (bluesky-social/social-app src/lib/constants.ts) — not an API rule.
        rules: PlatformRules(platform: .bluesky, limit: 300, maxBytes: 3000, unit: .graphemes, format: .plain,
                             hashtags: true, threads: true, facets: true, maxMedia: 4, maxAltLength: 2000),
        // 5,000 points per hour and 35,000 per day, 3 points per CREATE: at most 1,666 records per
        // hour and 11,666 per day.
        // https://docs.bsky.app/docs/advanced-guides/rate-limits — "Rate Limits" (Bluesky Documentation)
        limits: ChannelLimits(windows: [RateWindow(count: 1_666, seconds: 3_600), RateWindow(count: 11_666, seconds: 86_400)]),
        duplicates: DuplicateSettings(policy: .hold),
        // Images: `accept: ["image/*"]`, `maxSize: 2000000` (app.bsky.embed.images#image); video:
        //   `accept: ["video/mp4"]`, `maxSize: 300000000` (app.bsky.embed.video) — lexicons read at
        //   bluesky-social/atproto d6296a1 (2026-08; older versions said 1,000,000 and 50,000,000).
        //   A PDS refuses any blob over 50 MB when uploaded to it directly (uploadBlob); videos go
        //   through video.bsky.app instead ("Rate Limits" and the video tutorial, bsky-docs).
        // Images: the official app scales to at most 2000 × 2000 before upload (`POST_IMG_MAX` in
        //   bluesky-social/social-app src/lib/constants.ts); the lexicon sets only the byte limit.
        media: MediaLimits(imageTypes: nil, videoTypes: ["video/mp4"], maxImageBytes: 2_000_000,
                           maxVideoBytes: 300_000_000)
            .shaped(ImageShape(maxWidth: 2000, maxHeight: 2000)))
}
