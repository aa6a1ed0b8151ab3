import Foundation

/// One configured destination: a platform, its endpoint, its secrets and its policies.
public struct ChannelConfig: Sendable, Equatable {
    public var name: String
    public var platform: Platform
    /// API root or endpoint; every platform takes `url` so tests can point at loopback.
    public var url: String
    /// Secret references by key (`secret`, `token`, ...), resolved by the daemon at start and reload.
    public var secrets: [String: SecretReference]
    /// Non-secret platform settings (`room`, `chat_id`, `author`, ...).
    public var settings: [String: String]
    public var retry: RetryPolicy
    /// Overrides the platform's length limit (Mastodon instances differ; none by default for webhooks).
    public var lengthLimit: Int?
    public var long: LongPolicy?
    public var requireAlt: Bool
    /// Number thread parts ` 1/3` (counted toward the limit).
    public var numberThreadParts: Bool
    /// Rate windows, gaps, jitter, quiet hours and in-flight cap: the platform's published budget
    /// with the channel's `limits:` over it.
    public var limits: ChannelLimits
    /// Weekly posting schedule for posts without `at`.
    public var slots: WeeklySlots?
    /// The channel's own time zone (quiet hours, slots), else the config's.
    public var timeZone: TimeZone?
    public var duplicates: DuplicateSettings
    /// Consecutive failed attempts after which the channel pauses itself (0: never).
    public var breakerThreshold: Int
    /// `approval:` on the channel (nil: as `defaults:` says).
    public var approval: ApprovalRequirement?
    /// Line of the channel in crier.yml, for messages that point at it.
    public var line: Int
    /// Line of each of the channel's keys (`secret`, `token`, `url`, ...), for messages about one
    /// setting; `line(of:)` falls back to the channel's line.
    public var keyLines: [String: Int] = [:]

    public init(name: String, platform: Platform, url: String, secrets: [String: SecretReference] = [:],
                settings: [String: String] = [:], retry: RetryPolicy = RetryPolicy(), lengthLimit: Int? = nil,
                long: LongPolicy? = nil, requireAlt: Bool = true, numberThreadParts: Bool = true, line: Int = 0) {
        self.name = name
        self.platform = platform
        self.url = url
        self.secrets = secrets
        self.settings = settings
        self.retry = retry
        self.lengthLimit = lengthLimit
        self.long = long
        self.requireAlt = requireAlt
        self.numberThreadParts = numberThreadParts
        let descriptor = PlatformDescriptor.of(platform)
        self.limits = descriptor.limits
        self.slots = nil
        self.timeZone = nil
        self.duplicates = descriptor.duplicates
        self.breakerThreshold = 5
        self.line = line
    }

    /// The line of `key` in the channel's settings, else the channel's own line.
    public func line(of key: String) -> Int {
        keyLines[key] ?? line
    }
}
