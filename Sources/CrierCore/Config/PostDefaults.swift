import Foundation

/// Values a post gets when its file does not say (the `defaults:` config block).
public struct PostDefaults: Sendable, Equatable {
    public var expire: TimeInterval?
    public var long: LongPolicy = .thread
    /// Channels for posts without `channels:`; nil means such posts are rejected.
    public var channels: ChannelSelection?
    /// Spread between the channels of one post: the n-th channel goes `(n-1) × stagger` later.
    public var stagger: TimeInterval = 0
    /// `approval: required`: every channel's posts wait for `crier approve` (a channel may say `none`).
    public var approvalRequired = false

    public init(expire: TimeInterval? = nil, long: LongPolicy = .thread, channels: ChannelSelection? = nil) {
        self.expire = expire
        self.long = long
        self.channels = channels
    }
}
