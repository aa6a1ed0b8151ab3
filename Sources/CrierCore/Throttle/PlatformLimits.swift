import Foundation

/// Platform defaults from published budgets, applied unless a channel's `limits:` override them
/// (`ChannelLimits.merging(_:)`). Every social platform keeps `maxInFlight` 1 so a channel's posts
/// go out in order; numbers are per account (or per chat / channel where the platform says so).
public enum PlatformLimits {
    public static func defaults(for platform: Platform) -> ChannelLimits {
        switch platform {
        case .webhook:
            // Generic webhooks are machine endpoints with no published budget: no windows, and up to
            // 50 requests in flight. Set `limits:` on the channel if the receiver needs protecting.
            return ChannelLimits(maxInFlight: 50)
        case .mastodon:
            // 300 statuses per 3 hours per account.
            // https://docs.joinmastodon.org/api/rate-limits/ — "Rate limits" (Mastodon documentation);
            // enforced by RateLimiter's `statuses` family (limit 300, period 3.hours) in mastodon/mastodon.
            return ChannelLimits(windows: [RateWindow(count: 300, seconds: 3 * 3_600)])
        case .bluesky:
            // 5,000 points per hour and 35,000 per day, 3 points per CREATE: at most 1,666 records per
            // hour and 11,666 per day.
            // https://docs.bsky.app/docs/advanced-guides/rate-limits — "Rate Limits" (Bluesky Documentation)
            return ChannelLimits(windows: [RateWindow(count: 1_666, seconds: 3_600), RateWindow(count: 11_666, seconds: 86_400)])
        case .x:
            // Free access: POST /2/tweets 17 requests per 24 hours per user (paid tiers allow more; set
            // `limits: { per_day: N }` to match yours — it replaces this window).
            // https://docs.x.com/x-api/fundamentals/rate-limits — "X API Rate Limits" (X Developer Platform)
            return ChannelLimits(windows: [RateWindow(count: 17, seconds: 86_400)])
        case .threads:
            // 250 API-published posts per 24-hour moving period per profile (replies: 1,000; we count
            // every part as a post, which is conservative).
            // https://developers.facebook.com/docs/threads/overview — "Overview" (Threads API, Meta for Developers), "Posts"
            return ChannelLimits(windows: [RateWindow(count: 250, seconds: 86_400)])
        case .instagram:
            // 50 API-published posts per 24-hour moving period (the figure in the issue; Meta's page
            // has since stated a higher figure, 50 stays as the conservative value).
            // https://developers.facebook.com/docs/instagram-platform/content-publishing — "Content Publishing" (Instagram Platform, Meta for Developers), "Rate Limit"
            return ChannelLimits(windows: [RateWindow(count: 50, seconds: 86_400)])
        case .telegram:
            // No more than 20 messages per minute to the same group, and about one message per second
            // in a particular chat.
            // https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this — "Bots FAQ" (Telegram)
            return ChannelLimits(windows: [RateWindow(count: 20, seconds: 60)], minGap: 1)
        case .discord:
            // 30 messages per minute per channel / webhook (Discord publishes its limits only through
            // X-RateLimit-* response headers; 30/min is the long-observed per-webhook bucket).
            // https://discord.com/developers/docs/topics/rate-limits — "Rate Limits" (Discord Developer Portal)
            return ChannelLimits(windows: [RateWindow(count: 30, seconds: 60)])
        case .slack:
            // Posting messages: 1 per second per channel (short bursts tolerated, not relied on).
            // https://api.slack.com/apis/rate-limits — "Rate Limits" (Slack API), "Posting messages"
            return ChannelLimits(windows: [RateWindow(count: 1, seconds: 1)])
        case .linkedin:
            // 150 member posts per day. LinkedIn no longer publishes standard limits ("Standard rate
            // limits are not published in documentation" — https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits,
            // "Rate Limits", Microsoft Learn); 150/day per member is the figure of the former
            // Share on LinkedIn documentation, repeated by https://www.ayrshare.com/docs/apis/post/social-networks/linkedin
            // ("LinkedIn", Ayrshare docs): "LinkedIn limits 150 posts per day per LinkedIn account".
            return ChannelLimits(windows: [RateWindow(count: 150, seconds: 86_400)])
        case .facebook:
            // None: Graph API Page limits scale with engagement (4,800 calls × engaged users per 24 h) and
            // publish no fixed post budget.
            // https://developers.facebook.com/docs/graph-api/overview/rate-limiting — "Rate Limits" (Graph API, Meta for Developers)
            return ChannelLimits()
        case .matrix:
            // Synapse's default message limit: rc_message per_second 0.2, burst_count 10 — a token
            // bucket that a 10-per-50-seconds window never exceeds. Homeservers may configure otherwise.
            // https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html#rc_message — "Configuration Manual" (Synapse)
            return ChannelLimits(windows: [RateWindow(count: 10, seconds: 50)])
        }
    }

    /// The platform defaults with a channel's configured `limits:` merged over them.
    public static func limits(for platform: Platform, configured: ChannelLimitOverrides) -> ChannelLimits {
        defaults(for: platform).merging(configured)
    }
}
