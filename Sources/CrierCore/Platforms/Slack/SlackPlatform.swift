/// Slack: an incoming webhook (`webhook_url`) or a bot (`token` + `channel`, `chat.postMessage`);
/// files through `files.getUploadURLExternal` + `files.completeUploadExternal`.
public enum SlackPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .slack,
        // Config keys: `webhook_url`* — or `url` (default https://slack.com/api), `token`* (bot, xoxb-…),
        // `channel`. Adapter: `SlackAdapter`.
        secretKeys: ["webhook_url", "token"],
        settingKeys: ["channel"],
        requiredKeys: [["webhook_url"], ["token", "channel"]],
        // `text` is truncated beyond 40,000 characters. "chat.postMessage"
        //   https://api.slack.com/methods/chat.postMessage#truncating ; "Formatting text"
        //   https://api.slack.com/reference/surfaces/formatting#escaping ; files.completeUploadExternal takes
        //   up to 10 files? (not documented clearly) with `alt_txt` on files.getUploadURLExternal, whose
        //   error `alt_txt_too_large` says "longer than the limit of 1000 character"
        //   https://docs.slack.dev/reference/methods/files.getUploadURLExternal
        rules: PlatformRules(platform: .slack, limit: 40_000, unit: .scalars, format: .slackMrkdwn, hashtags: false, threads: true,
                             maxMedia: 10, maxAltLength: 1000),
        // Posting messages: 1 per second per channel (short bursts tolerated, not relied on).
        // https://api.slack.com/apis/rate-limits — "Rate Limits" (Slack API), "Posting messages"
        limits: ChannelLimits(windows: [RateWindow(count: 1, seconds: 1)]),
        duplicates: DuplicateSettings(policy: .hold),
        // Any file type, up to 1 GB per file — "files.getUploadURLExternal"
        //   https://docs.slack.dev/reference/methods/files.getUploadURLExternal (unverified: not in the
        //   research digest).
        media: MediaLimits(imageTypes: nil, videoTypes: nil, maxImageBytes: 1_000 * MediaLimits.megabyte,
                           maxVideoBytes: 1_000 * MediaLimits.megabyte, otherFiles: true,
                           maxOtherBytes: 1_000 * MediaLimits.megabyte),
        defaultURL: SlackRequestBuilder.defaultAPIRoot)
}
