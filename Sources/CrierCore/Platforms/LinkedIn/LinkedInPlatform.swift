/// LinkedIn (Posts API): `POST /rest/posts` with commentary in the "little" text format; images
/// through the Images API.
public enum LinkedInPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .linkedin,
        // Config keys: `url`, `author` (urn:li:person:… / urn:li:organization:…), `client_id`,
        // `client_secret`*, `version` (LinkedIn-Version); the token comes from `crier auth`.
        secretKeys: ["client_secret"],
        settingKeys: ["author", "client_id", "version"],
        requiredKeys: [["author", "client_id", "client_secret"]],
        // Commentary 3000 characters (counted on the raw little-text string, UTF-16 as in Java —
        //   conservative), little text format with reserved characters escaped.
        //   "Posts API" https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
        //   "Little Text Format" https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
        // Media: MultiImage 2–20 images; image altText up to 4086 characters
        //   "MultiImage API" https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/multiimage-post-api
        rules: PlatformRules(platform: .linkedin, limit: 3000, unit: .utf16, format: .linkedInLittle, hashtags: true,
                             maxMedia: 20, maxAltLength: 4086),
        // 150 member posts per day. LinkedIn no longer publishes standard limits ("Standard rate
        // limits are not published in documentation" — https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits,
        // "Rate Limits", Microsoft Learn); 150/day per member is the figure of the former
        // Share on LinkedIn documentation, repeated by https://www.ayrshare.com/docs/apis/post/social-networks/linkedin
        // ("LinkedIn", Ayrshare docs): "LinkedIn limits 150 posts per day per LinkedIn account".
        limits: ChannelLimits(windows: [RateWindow(count: 150, seconds: 86_400)]),
        duplicates: DuplicateSettings(policy: .hold),
        // Images API: JPG, GIF, PNG, at most 36,152,320 pixels, no byte limit given; Videos API: MP4,
        //   75 KB to 500 MB. https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api
        //   and …/videos-api (unverified: not in the research digest).
        // Link and image shares display at 1.91:1, so `crop:` cuts to 1.91:1 (LinkedIn's own image
        //   guidance; any ratio is taken).
        media: MediaLimits(imageTypes: ["image/jpeg", "image/gif", "image/png"], videoTypes: ["video/mp4"],
                           maxImageBytes: nil, maxVideoBytes: 500 * MediaLimits.megabyte,
                           maxImagePixels: 36_152_320)
            .shaped(ImageShape(cropRatio: ImageRatio(1.91, 1))))
}
