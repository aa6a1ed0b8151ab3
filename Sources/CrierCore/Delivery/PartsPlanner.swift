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
}
