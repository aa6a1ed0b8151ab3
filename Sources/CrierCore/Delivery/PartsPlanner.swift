/// The parts (texts) a post becomes on a channel. Until per-platform rendering lands, every platform
/// gets one part: the body for that channel (variants applied). The webhook keeps this shape: its
/// `link`, `tags` and `media` travel as separate JSON fields.
public enum PartsPlanner {
    public static func parts(for post: Post, channel: ChannelConfig) -> [String] {
        [post.body(forChannel: channel.name, platform: channel.platform)]
    }
}
