import Foundation

/// A sliding-window budget: at most `count` sends in any `seconds`-long window.
///
/// A window is half-open, so with `(10, 60)` sends at 0 s and 60 s never share a window: after ten
/// sends the eleventh may go exactly when the oldest of them is `seconds` old.
public struct RateWindow: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var count: Int
    public var seconds: TimeInterval

    public init(count: Int, seconds: TimeInterval) {
        self.count = count
        self.seconds = seconds
    }

    /// `per_minute: n`
    public static func perMinute(_ count: Int) -> RateWindow { RateWindow(count: count, seconds: 60) }
    /// `per_hour: n`
    public static func perHour(_ count: Int) -> RateWindow { RateWindow(count: count, seconds: 3_600) }
    /// `per_day: n` (a rolling 24 hours, not a calendar day)
    public static func perDay(_ count: Int) -> RateWindow { RateWindow(count: count, seconds: 86_400) }

    /// Windows with `count < 1` or `seconds <= 0` limit nothing and are skipped by the planner;
    /// the config parser should reject them.
    public var isEffective: Bool { count >= 1 && seconds > 0 }

    public var description: String {
        let whole = seconds.rounded() == seconds
        let text: String
        if whole, Int(seconds) % 3_600 == 0 { text = "\(Int(seconds) / 3_600)h" }
        else if whole, Int(seconds) % 60 == 0 { text = "\(Int(seconds) / 60)m" }
        else if whole { text = "\(Int(seconds))s" }
        else { text = "\(seconds)s" }
        return "\(count)/\(text)"
    }
}
