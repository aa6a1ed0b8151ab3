/// One channel a post is rendered for, with the channel's rendering options.
public struct RenderTarget: Sendable, Equatable {
    public var channel: String
    public var platform: Platform
    public var options: RenderOptions

    public init(channel: String, platform: Platform, options: RenderOptions = RenderOptions()) {
        self.channel = channel
        self.platform = platform
        self.options = options
    }
}
