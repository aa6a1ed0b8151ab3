/// Discord: an incoming webhook (`webhook_url`) or a bot (`token` + `channel`); files are multipart
/// attachments.
public enum DiscordPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .discord,
        // Config keys: `webhook_url`* (with `thread_id` for a thread or forum post) — or `url` (default
        // https://discord.com/api/v10), `token`* (bot), `channel`; `allow_mentions` (default false).
        // Adapter: `DiscordAdapter`.
        secretKeys: ["webhook_url", "token"],
        settingKeys: ["channel", "allow_mentions", "thread_id"],
        requiredKeys: [["webhook_url"], ["token", "channel"]],
        // Message content up to 2000 characters; up to 10 attachments; attachment `description`
        //   (alt text) up to 1024 characters. "Create Message" https://discord.com/developers/docs/resources/message#create-message
        //   "Attachment Object" https://discord.com/developers/docs/resources/message#attachment-object
        rules: PlatformRules(platform: .discord, limit: 2000, unit: .scalars, format: .discordMarkdown, hashtags: false, threads: true,
                             maxMedia: 10, maxAltLength: 1024),
        // 30 messages per minute per channel / webhook (Discord publishes its limits only through
        // X-RateLimit-* response headers; 30/min is the long-observed per-webhook bucket).
        // https://discord.com/developers/docs/topics/rate-limits — "Rate Limits" (Discord Developer Portal)
        limits: ChannelLimits(windows: [RateWindow(count: 30, seconds: 60)]),
        duplicates: DuplicateSettings(policy: .hold),
        // Any file type; "The default limit is 10 MiB" per file (more with Nitro or server boosts),
        //   and a request is at most 25 MiB. https://discord.com/developers/docs/reference#uploading-files
        //   (discord/discord-api-docs reference.mdx, read 2026-08).
        media: MediaLimits(imageTypes: nil, videoTypes: nil, maxImageBytes: 10 * MediaLimits.mebibyte,
                           maxVideoBytes: 10 * MediaLimits.mebibyte, otherFiles: true,
                           maxOtherBytes: 10 * MediaLimits.mebibyte),
        defaultURL: DiscordRequestBuilder.defaultAPIRoot)
}
