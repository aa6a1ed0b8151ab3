/// The generic webhook: crier's own JSON event, signed the Standard Webhooks way (`WebhookAdapter`).
public enum WebhookPlatform {
    public static let descriptor = PlatformDescriptor(
        platform: .webhook,
        // `secret`: the Standard Webhooks signing secret (`whsec_…`); optional, unsigned without it.
        secretKeys: ["secret"],
        // crier's own JSON; the body Markdown travels unchanged, tags and link as fields. No length
        // limit unless the channel sets `limit:`.
        rules: PlatformRules(platform: .webhook, limit: nil, unit: .graphemes, format: .markdown, hashtags: false,
                             maxMedia: nil, maxAltLength: nil),
        // Generic webhooks are machine endpoints with no published budget: no windows, and up to 50
        // requests in flight. Set `limits:` on the channel if the receiver needs protecting.
        limits: ChannelLimits(maxInFlight: 50),
        // Machine endpoints: near-duplicates are allowed.
        duplicates: DuplicateSettings(policy: .allow),
        // Only the file name and alt text are sent, never the bytes: no media limits.
        media: nil)
}
