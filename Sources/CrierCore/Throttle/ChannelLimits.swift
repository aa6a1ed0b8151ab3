import Foundation

/// Everything that limits one channel. All optional except `maxInFlight`.
///
/// Built as the platform's `PlatformDescriptor.limits` merged with the channel's configured `limits:`
/// (`merging(_:)`), then handed to `ThrottlePlanner`.
public struct ChannelLimits: Sendable, Equatable {
    /// Sliding-window budgets: `per_minute` → (n, 60), `per_hour` → (n, 3600), `per_day` → (n, 86400),
    /// and platform budgets like Mastodon's (300, 10800). All must hold at once.
    public var windows: [RateWindow]
    /// At least this long between two sends (`min_gap`).
    public var minGap: TimeInterval
    /// Each send is pushed later by a deterministic 0..<jitter (`jitter`; see `StableJitter`).
    public var jitter: TimeInterval
    /// No sends while the channel's local wall clock is in these hours (`quiet`).
    public var quiet: QuietHours?
    /// Sends on the channel that may be in flight at once (`max_in_flight`); 1 keeps a channel's posts in order.
    public var maxInFlight: Int
    /// Pause between the channels of one post (`stagger`); used by the engine, carried here.
    public var stagger: TimeInterval

    public init(windows: [RateWindow] = [], minGap: TimeInterval = 0, jitter: TimeInterval = 0,
                quiet: QuietHours? = nil, maxInFlight: Int = 1, stagger: TimeInterval = 0) {
        self.windows = windows
        self.minGap = minGap
        self.jitter = jitter
        self.quiet = quiet
        self.maxInFlight = maxInFlight
        self.stagger = stagger
    }

    /// No windows, gap, jitter, quiet hours or stagger; one send in flight.
    public static let unlimited = ChannelLimits()

    /// Merges user-configured values over these (platform default) limits: a configured field wins,
    /// an unconfigured one keeps the default. A configured window replaces the default windows of the
    /// same length (`per_day: 100` replaces X's 17/24h) and is added otherwise, so platform budgets of
    /// other lengths (Mastodon's 300/3h) stay in force.
    public func merging(_ configured: ChannelLimitOverrides) -> ChannelLimits {
        var merged = self
        for window in configured.windows {
            merged.windows.removeAll { $0.seconds == window.seconds }
        }
        merged.windows += configured.windows
        merged.windows.sort { ($0.seconds, $0.count) < ($1.seconds, $1.count) }
        if let minGap = configured.minGap { merged.minGap = minGap }
        if let jitter = configured.jitter { merged.jitter = jitter }
        if let quiet = configured.quiet { merged.quiet = quiet }
        if let maxInFlight = configured.maxInFlight { merged.maxInFlight = maxInFlight }
        if let stagger = configured.stagger { merged.stagger = stagger }
        return merged
    }
}
