/// Threads (Meta): a media container, then `threads_publish`. Media are fetched by Meta from a
/// public URL (`media_base_url`), never uploaded.
public enum ThreadsPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .threads,
        // Config keys: `url`, `user_id`, `client_secret`*, `media_base_url`, `poll_interval` (how often a
        // container's status is asked, default 60 s), `client_id`; the token comes from `crier auth`.
        secretKeys: ["client_secret"],
        settingKeys: ["user_id", "media_base_url", "poll_interval", "client_id"],
        requiredKeys: [["user_id", "client_secret"]],
        // 500 characters per post; carousel 2–20 items; `alt_text` has no documented limit.
        //   "Threads API — Posts" https://developers.facebook.com/docs/threads/posts
        //   "Troubleshooting/limits" https://developers.facebook.com/docs/threads/troubleshooting
        rules: PlatformRules(platform: .threads, limit: 500, unit: .graphemes, format: .plain, hashtags: true,
                             threads: true, maxMedia: 20, maxAltLength: nil),
        // 250 API-published posts per 24-hour moving period per profile (replies: 1,000; we count
        // every part as a post, which is conservative).
        // https://developers.facebook.com/docs/threads/overview — "Overview" (Threads API, Meta for Developers), "Posts"
        limits: ChannelLimits(windows: [RateWindow(count: 250, seconds: 86_400)]),
        duplicates: DuplicateSettings(policy: .hold),
        // Images JPEG or PNG, at most 8 MB; video MOV or MP4, at most 1 GB — "Overview", image and
        //   video specifications, https://developers.facebook.com/docs/threads/overview (unverified:
        //   not in the research digest; read from a third-party guide that mirrors Meta's page).
        media: MediaLimits(imageTypes: ["image/jpeg", "image/png"], videoTypes: ["video/mp4", "video/quicktime"],
                           maxImageBytes: 8 * MediaLimits.megabyte, maxVideoBytes: 1_000 * MediaLimits.megabyte))
}
