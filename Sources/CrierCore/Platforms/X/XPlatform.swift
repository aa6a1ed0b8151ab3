/// X (API v2): `POST /2/tweets`, media through `/2/media/upload` (simple or chunked).
public enum XPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .x,
        // Config keys: `url`; OAuth 1.0a `consumer_key`*, `consumer_secret`*, `access_token`*,
        // `access_token_secret`*; or OAuth 2 `client_id`, `client_secret`* with user tokens from
        // `crier auth`. App-only bearer tokens cannot post.
        secretKeys: ["consumer_key", "consumer_secret", "access_token", "access_token_secret", "client_secret"],
        settingKeys: ["client_id"],
        requiredKeys: [["consumer_key", "consumer_secret", "access_token", "access_token_secret"],
                       ["client_id", "client_secret"]],
        // 280 weighted, URLs 23 (t.co) with or without scheme, emoji 2.
        //   "Counting characters" https://docs.x.com/resources/fundamentals/counting-characters
        //   and twitter-text v3 config https://github.com/twitter/twitter-text/blob/master/config/v3.json
        // Media: up to 4 photos — "Media best practices" https://docs.x.com/x-api/media/quickstart/best-practices
        // Alt text: 1000 characters — "POST media/metadata/create"
        //   https://developer.x.com/en/docs/x-api/v1/media/upload-media/api-reference/post-media-metadata-create
        rules: PlatformRules(platform: .x, limit: 280, unit: .weighted, urlLength: 23, format: .plain, hashtags: true,
                             threads: true, maxMedia: 4, maxAltLength: 1000),
        // Free access: POST /2/tweets 17 requests per 24 hours per user (paid tiers allow more; set
        // `limits: { per_day: N }` to match yours — it replaces this window).
        // https://docs.x.com/x-api/fundamentals/rate-limits — "X API Rate Limits" (X Developer Platform)
        limits: ChannelLimits(windows: [RateWindow(count: 17, seconds: 86_400)]),
        duplicates: DuplicateSettings(policy: .hold),
        // "Supported image media types: JPG, PNG, GIF, WEBP; Image size <= 5 MB; Animated GIF size
        //   <= 15 MB"; video "File size: must not exceed 512 mb" — "Media best practices"
        //   https://docs.x.com/x-api/media/quickstart/best-practices and "Media upload endpoints"
        //   https://docs.x.com/x-api/media/introduction (xdevplatform/docs, read 2026-08). MB is read as
        //   decimal (the smaller reading; unverified which X means). Video containers: MP4 and MOV
        //   (the upload's media types list video/mp4 and video/quicktime, among others).
        // Any ratio is taken; the timeline shows one image at 16:9, so `crop:` cuts to 16:9 (issue
        //   "Images made to fit each platform"; no documented pixel limit is applied).
        media: MediaLimits(imageTypes: ["image/jpeg", "image/png", "image/gif", "image/webp"],
                           videoTypes: ["video/mp4", "video/quicktime"],
                           maxImageBytes: 5 * MediaLimits.megabyte, maxVideoBytes: 512 * MediaLimits.megabyte,
                           maxBytesByType: ["image/gif": 15 * MediaLimits.megabyte])
            .shaped(ImageShape(cropRatio: ImageRatio(16, 9))))
}
