/// What a post becomes on one channel: the rendered variant (one part, or a thread), with the
/// channel's and the config's policies applied. The engine and (later) the preview both plan through
/// this, so what is previewed is what is sent.
public enum PartsPlanner {
    public static func options(for post: Post, channel: ChannelConfig, defaults: PostDefaults) -> RenderOptions {
        RenderOptions(limit: channel.lengthLimit, long: post.long ?? channel.long ?? defaults.long,
                      numberThreadParts: channel.numberThreadParts, requireAlt: channel.requireAlt)
    }

    public static func variant(for post: Post, channel: ChannelConfig, defaults: PostDefaults) -> RenderedVariant {
        PostRenderer.render(post, channel: channel.name, platform: channel.platform,
                            options: options(for: post, channel: channel, defaults: defaults))
    }

    /// As above, with what crier keeps about the channel: a Mastodon instance's own
    /// `max_characters` (read by `crier check --online`) replaces the 500 default unless the
    /// channel sets `limit:`, and the variant says so.
    public static func variant(for post: Post, channel: ChannelConfig, defaults: PostDefaults, session: ChannelSession) -> RenderedVariant {
        guard channel.platform == .mastodon, channel.lengthLimit == nil,
              let instance = MastodonInstanceLimits(session: session).maxCharacters, instance > 0 else {
            return variant(for: post, channel: channel, defaults: defaults)
        }
        var options = options(for: post, channel: channel, defaults: defaults)
        options.limit = instance
        var rendered = PostRenderer.render(post, channel: channel.name, platform: channel.platform, options: options)
        rendered.warnings.append("counted against the instance's own limit, \(instance) characters (read by `crier check --online`)")
        return rendered
    }
}
