import Foundation

/// A channel's configured `limits:` — only what the user wrote; `nil` / empty means "keep the
/// platform default". Merge with `ChannelLimits.merging(_:)`.
///
/// Config keys: `per_minute`, `per_hour`, `per_day` (→ `windows`), `min_gap`, `jitter`, `quiet`
/// ("HH:MM-HH:MM", see `QuietHours.parse`), `max_in_flight`, `stagger`.
public struct ChannelLimitOverrides: Sendable, Equatable {
    /// Each replaces the default window of the same length, or is added.
    public var windows: [RateWindow]
    public var minGap: TimeInterval?
    public var jitter: TimeInterval?
    public var quiet: QuietHours?
    public var maxInFlight: Int?
    public var stagger: TimeInterval?

    public init(windows: [RateWindow] = [], minGap: TimeInterval? = nil, jitter: TimeInterval? = nil,
                quiet: QuietHours? = nil, maxInFlight: Int? = nil, stagger: TimeInterval? = nil) {
        self.windows = windows
        self.minGap = minGap
        self.jitter = jitter
        self.quiet = quiet
        self.maxInFlight = maxInFlight
        self.stagger = stagger
    }

    /// Builds overrides from the `per_minute` / `per_hour` / `per_day` keys plus the rest.
    public init(perMinute: Int? = nil, perHour: Int? = nil, perDay: Int? = nil, minGap: TimeInterval? = nil,
                jitter: TimeInterval? = nil, quiet: QuietHours? = nil, maxInFlight: Int? = nil,
                stagger: TimeInterval? = nil) {
        let windows = [perMinute.map(RateWindow.perMinute), perHour.map(RateWindow.perHour), perDay.map(RateWindow.perDay)]
        self.init(windows: windows.compactMap { $0 }, minGap: minGap, jitter: jitter, quiet: quiet,
                  maxInFlight: maxInFlight, stagger: stagger)
    }
}
