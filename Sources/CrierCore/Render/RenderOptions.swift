/// How one channel wants its variant rendered: the channel's overrides of the platform rules.
public struct RenderOptions: Sendable, Equatable {
    /// A channel's own limit in the platform's counting unit (a Mastodon instance's limit, X Premium,
    /// Matrix or webhook limits). Nil: the platform's default from `PlatformRules`.
    public var limit: Int?
    /// What to do with a too-long variant when the post has no `long:` (the channel default, else `thread`).
    public var long: LongPolicy
    /// Append ` i/n` to each part of a thread (it counts toward the limit).
    public var numberThreadParts: Bool
    /// An image without alt text is an error (default); off: a warning.
    public var requireAlt: Bool

    public init(limit: Int? = nil, long: LongPolicy = .thread, numberThreadParts: Bool = true,
                requireAlt: Bool = true) {
        self.limit = limit
        self.long = long
        self.numberThreadParts = numberThreadParts
        self.requireAlt = requireAlt
    }
}
