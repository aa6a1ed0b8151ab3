/// Facebook Pages (Graph API): `POST /{page-id}/feed`, photos through `/{page-id}/photos` (uploaded
/// or fetched from a public URL).
public enum FacebookPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .facebook,
        // Config keys: `url`, `page_id`, `token`* (page token), `media_base_url`.
        secretKeys: ["token"],
        settingKeys: ["page_id", "media_base_url"],
        requiredKeys: [["page_id", "token"]],
        // Page post: 63,206 characters. "Page Feed" https://developers.facebook.com/docs/graph-api/reference/page/feed
        //   (limit from Facebook Help "How many characters can I use in a post"); no documented image count
        //   for `attached_media`; alt text via `alt_text_custom` on the photo, no documented length.
        rules: PlatformRules(platform: .facebook, limit: 63_206, unit: .graphemes, format: .plain, hashtags: true,
                             maxMedia: nil, maxAltLength: nil),
        // None: Graph API Page limits scale with engagement (4,800 calls × engaged users per 24 h) and
        // publish no fixed post budget.
        // https://developers.facebook.com/docs/graph-api/overview/rate-limiting — "Rate Limits" (Graph API, Meta for Developers)
        limits: ChannelLimits(),
        duplicates: DuplicateSettings(policy: .hold),
        // Photos: JPEG, PNG, GIF (also BMP and TIFF, which crier does not recognise), under 4 MB —
        //   "Page Photos" https://developers.facebook.com/docs/graph-api/reference/page/photos
        //   (unverified: not in the research digest; error 1366046 is "bad photo size or type").
        //   Videos: no byte limit read (unverified), MP4 and MOV.
        media: MediaLimits(imageTypes: ["image/jpeg", "image/png", "image/gif"], videoTypes: ["video/mp4", "video/quicktime"],
                           maxImageBytes: 4 * MediaLimits.megabyte, maxVideoBytes: nil))
}
