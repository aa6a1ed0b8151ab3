/// Instagram (content publishing, professional accounts): a media container from a public URL
/// (`media_base_url`), then `media_publish`. A post needs an image or video.
public enum InstagramPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .instagram,
        // Config keys: `url`, `user_id`, `client_secret`*, `media_base_url`, `poll_interval` (how often a
        // container's status is asked, default 60 s), `client_id`; the token comes from `crier auth`.
        secretKeys: ["client_secret"],
        settingKeys: ["user_id", "media_base_url", "poll_interval", "client_id"],
        requiredKeys: [["user_id", "client_secret"]],
        // Caption 2200 characters, at most 30 hashtags and 20 @ tags; a post needs media;
        //   carousel up to 10 items. "IG User Media" https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
        //   "Content Publishing" https://developers.facebook.com/docs/instagram-platform/content-publishing
        //   Alt text: `alt_text` on image containers, no documented length.
        rules: PlatformRules(platform: .instagram, limit: 2200, unit: .graphemes, format: .plain, hashtags: true,
                             maxMedia: 10, maxAltLength: nil, requiresMedia: true, maxHashtags: 30, maxMentions: 20),
        // 50 API-published posts per 24-hour moving period (the figure in the issue; Meta's page
        // has since stated a higher figure, 50 stays as the conservative value).
        // https://developers.facebook.com/docs/instagram-platform/content-publishing — "Content Publishing" (Instagram Platform, Meta for Developers), "Rate Limit"
        limits: ChannelLimits(windows: [RateWindow(count: 50, seconds: 86_400)]),
        duplicates: DuplicateSettings(policy: .hold),
        // Images: JPEG only, at most 8 MB; reels: MOV or MP4, at most 300 MB (some guides now say
        //   1 GB; the smaller figure is kept) — "IG User Media", image and reel specifications,
        //   https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
        //   (unverified: not in the research digest; format and aspect-ratio errors are permanent).
        // Feed images: aspect ratio within 4:5 to 1.91:1, width 320 to 1440 px ("IG User Media", image
        //   specifications, as mirrored by Ayrshare's media guidelines for Instagram; Meta's ads "Media
        //   Requirements" say the same range). `crop:` cuts to the nearest bound.
        media: MediaLimits(imageTypes: ["image/jpeg"], videoTypes: ["video/mp4", "video/quicktime"],
                           maxImageBytes: 8 * MediaLimits.megabyte, maxVideoBytes: 300 * MediaLimits.megabyte)
            .shaped(ImageShape(accepted: (ImageRatio(4, 5), ImageRatio(1.91, 1)), maxWidth: 1440)))
}
