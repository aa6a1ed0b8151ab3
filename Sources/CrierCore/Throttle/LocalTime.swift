import Foundation

/// Wall-clock arithmetic in a time zone without `Calendar`: local seconds since 1970 ("as if UTC"),
/// civil day numbers and the resolution of a wall time to instants across DST changes.
/// Pure and deterministic; only `TimeZone.secondsFromGMT(for:)` is consulted.
enum LocalTime {
    /// How a wall time maps to instants on its day.
    enum Resolution: Equatable {
        /// The wall time happens once.
        case unique(Date)
        /// The wall time happens twice (clocks were set back): both instants, earlier first.
        case repeated(first: Date, second: Date)
        /// The wall time does not exist (clocks jumped forward over it): the first instant after the gap.
        case skipped(firstAfterGap: Date)

        /// The earlier occurrence, or the first instant after a gap.
        var first: Date {
            switch self {
            case .unique(let date), .repeated(let date, _), .skipped(let date): return date
            }
        }
    }

    static let secondsPerDay = 86_400

    /// Seconds since 1970-01-01T00:00 on the local wall clock of `timeZone` at `date`.
    static func localSeconds(_ date: Date, _ timeZone: TimeZone) -> Double {
        date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
    }

    /// The civil day number (days since 1970-01-01) of a local-seconds value.
    static func day(_ localSeconds: Double) -> Int {
        Int((localSeconds / Double(secondsPerDay)).rounded(.down))
    }

    /// Seconds since local midnight, in 0..<86400.
    static func secondOfDay(_ localSeconds: Double) -> Double {
        localSeconds - Double(day(localSeconds) * secondsPerDay)
    }

    /// Weekday of a civil day number: 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
    static func weekday(_ day: Int) -> Int {
        ((day + 3) % 7 + 7) % 7
    }

    /// Resolves the wall time `day` + `secondOfDay` in `timeZone` to instants.
    static func resolve(day: Int, secondOfDay: Int, _ timeZone: TimeZone) -> Resolution {
        let local = day * secondsPerDay + secondOfDay
        func offset(_ instant: Int) -> Int { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))) }
        // Offsets in force a day either side bracket the wall time (assumes at most one change per two days).
        let before = offset(local - secondsPerDay)
        let after = offset(local + secondsPerDay)
        var valid: [Int] = []
        for candidate in Set([local - before, local - after]).sorted() where offset(candidate) + candidate == local {
            valid.append(candidate)
        }
        if valid.count >= 2 {
            return .repeated(first: date(valid[0]), second: date(valid[valid.count - 1]))
        }
        if let only = valid.first { return .unique(date(only)) }
        // A gap: the change happened between `local - after` and `local - before`; find its first second.
        var low = min(local - after, local - before)
        var high = max(local - after, local - before)
        let offsetBefore = offset(low)
        guard offset(high) != offsetBefore else { return .unique(date(local - after)) }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(middle) == offsetBefore { low = middle } else { high = middle }
        }
        return .skipped(firstAfterGap: date(high))
    }

    /// Minutes since midnight for "H:MM" / "HH:MM" (00:00 to 23:59; 24:00 only when `allow24` is set).
    static func minutes(from text: String, allow24: Bool = false) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60 else { return nil }
        if hour == 24 && minute == 0 && allow24 { return 24 * 60 }
        return hour < 24 ? hour * 60 + minute : nil
    }

    /// "HH:MM" for minutes since midnight.
    static func format(minutes: Int) -> String {
        let hour = minutes / 60, minute = minutes % 60
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    private static func date(_ instant: Int) -> Date { Date(timeIntervalSince1970: Double(instant)) }
}
