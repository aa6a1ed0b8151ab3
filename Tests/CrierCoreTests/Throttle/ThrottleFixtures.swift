import CrierTestSupport
import Foundation

/// Dates, zones and a seeded generator for the throttle tests (no clocks, no system randomness).
enum ThrottleFixtures {
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!
    static let utc = TimeZone(identifier: "UTC")!

    /// An instant from ISO 8601 with an explicit offset, e.g. "2026-03-29T01:00:00Z".
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { fatalError("bad test date \(text)") }
        return date
    }

    /// Seconds since local midnight of `date` in `timeZone`, read through `Calendar` (an oracle
    /// independent of the code under test).
    static func wallSecondOfDay(_ date: Date, _ timeZone: TimeZone) -> Double {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute, .second, .nanosecond], from: date)
        return Double(parts.hour! * 3_600 + parts.minute! * 60 + parts.second!) + Double(parts.nanosecond!) / 1e9
    }
}

/// SplitMix64: a tiny deterministic generator for property-style tests.
