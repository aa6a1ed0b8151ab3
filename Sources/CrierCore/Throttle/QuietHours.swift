import Foundation

/// Daily quiet hours in the channel's time zone, e.g. "23:00-07:00" (crosses midnight) or "12:00-13:00".
///
/// An instant is quiet when the local wall clock shows a time in `start..<end` (or, crossing
/// midnight, at or after `start` or before `end`). Because the rule reads the wall clock, DST days
/// behave like this:
/// - Spring forward: wall times inside the gap never occur. Quiet "01:00-03:00" in Berlin on
///   2026-03-29 lasts one real hour (01:00 CET to 03:00 CEST); if `end` itself falls in the gap
///   (quiet "01:00-02:30"), quiet ends at the first instant after the gap (03:00 CEST).
/// - Fall back: repeated wall times are quiet on both passes. Quiet "01:00-03:00" in New York on
///   2026-11-01 lasts three real hours; quiet "01:00-01:30" there is two stretches (01:00-01:30 EDT
///   and 01:00-01:30 EST).
public struct QuietHours: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Minutes since local midnight at which quiet starts (0..<1440).
    public let startMinute: Int
    /// Minutes since local midnight at which sending may resume (0..<1440; "24:00" is stored as 0).
    public let endMinute: Int

    /// `nil` when either bound is out of range or they are equal (quiet all day or never is not quiet hours).
    public init?(startMinute: Int, endMinute: Int) {
        let end = endMinute == 1_440 ? 0 : endMinute
        guard (0..<1_440).contains(startMinute), (0..<1_440).contains(end), startMinute != end else { return nil }
        self.startMinute = startMinute
        self.endMinute = end
    }

    /// Parses "HH:MM-HH:MM" ("24:00" is accepted as an end); `nil` when malformed.
    public static func parse(_ text: String) -> QuietHours? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let start = LocalTime.minutes(from: parts[0].trimmingCharacters(in: .whitespaces)),
              let end = LocalTime.minutes(from: parts[1].trimmingCharacters(in: .whitespaces), allow24: true)
        else { return nil }
        return QuietHours(startMinute: start, endMinute: end)
    }

    /// Whether quiet hours cross local midnight ("23:00-07:00").
    public var crossesMidnight: Bool { startMinute > endMinute }

    /// Whether `date` falls in quiet hours on the wall clock of `timeZone`.
    public func contains(_ date: Date, timeZone: TimeZone) -> Bool {
        contains(secondOfDay: LocalTime.secondOfDay(LocalTime.localSeconds(date, timeZone)))
    }

    /// The first instant >= `date` that is outside quiet hours (`date` itself if already outside).
    /// DST-correct as described on the type.
    public func firstAllowed(atOrAfter date: Date, timeZone: TimeZone) -> Date {
        var instant = date
        // Each pass leaves one quiet stretch; a fall-back day can hold two stretches back to back.
        for _ in 0..<8 {
            let local = LocalTime.localSeconds(instant, timeZone)
            let secondOfDay = LocalTime.secondOfDay(local)
            guard contains(secondOfDay: secondOfDay) else { return instant }
            var day = LocalTime.day(local)
            if crossesMidnight && secondOfDay >= Double(startMinute * 60) { day += 1 }
            let next: Date
            switch LocalTime.resolve(day: day, secondOfDay: endMinute * 60, timeZone) {
            case .unique(let end): next = end
            case .repeated(let first, let second): next = first > instant ? first : second
            case .skipped(let firstAfterGap): next = firstAfterGap
            }
            guard next > instant else { return instant.addingTimeInterval(1) } // unreachable with sane zone data
            instant = next
        }
        return instant
    }

    public var description: String {
        LocalTime.format(minutes: startMinute) + "-" + LocalTime.format(minutes: endMinute)
    }

    private func contains(secondOfDay: Double) -> Bool {
        let start = Double(startMinute * 60), end = Double(endMinute * 60)
        return crossesMidnight ? (secondOfDay >= start || secondOfDay < end) : (secondOfDay >= start && secondOfDay < end)
    }
}
