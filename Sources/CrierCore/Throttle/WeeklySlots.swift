import Foundation

/// A weekly posting schedule: entries like "mon-fri 09:00", "sat 11:00", "daily 12:30",
/// "mon,wed,fri 08:15", "sun 02:30", in the channel's time zone.
///
/// Days are `mon` ... `sun` (or full names), ranges (`mon-fri`, wrapping `fri-mon`), comma lists of
/// either, or `daily` / `weekdays` / `weekends`. DST rules:
/// - A slot whose wall time does not exist (02:30 on a spring-forward day) fires once, at the first
///   instant after the gap (03:00 local, i.e. 01:00 UTC in Berlin on 2026-03-29).
/// - A slot whose wall time occurs twice (01:30 on 2026-11-01 in New York, 02:30 on 2026-10-25 in
///   Berlin) fires once, at the first occurrence; the second occurrence is never a slot.
/// - Slots that land on the same instant (02:15 and 03:00 on a Berlin spring-forward day) fire once.
public struct WeeklySlots: Sendable, Equatable, Hashable {
    /// Minutes since local midnight, sorted and unique, per weekday (index 0 = Monday ... 6 = Sunday).
    public let times: [[Int]]

    /// No slots at all.
    public static let none = WeeklySlots(times: Array(repeating: [], count: 7))

    public var isEmpty: Bool { times.allSatisfy(\.isEmpty) }

    init(times: [[Int]]) {
        self.times = times.map { Array(Set($0)).sorted() }
    }

    static let dayNames: [[String]] = [
        ["mon", "monday"], ["tue", "tuesday"], ["wed", "wednesday"], ["thu", "thursday"],
        ["fri", "friday"], ["sat", "saturday"], ["sun", "sunday"],
    ]

    /// Parses `slots:` entries; the error names the first bad entry. An empty list means no slots.
    public static func parse(_ entries: [String]) -> Result<WeeklySlots, SlotParseError> {
        var times: [[Int]] = Array(repeating: [], count: 7)
        for (index, entry) in entries.enumerated() {
            func failure(_ reason: String) -> Result<WeeklySlots, SlotParseError> {
                .failure(SlotParseError(entry: entry, index: index, reason: reason))
            }
            let words = entry.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count == 2 else {
                return failure("expected days and a time, like 'mon-fri 09:00' or 'daily 12:30'")
            }
            let days: [Int]
            switch parseDays(words[0]) {
            case .success(let parsed): days = parsed
            case .failure(let bad):
                return failure("'\(bad.text)' is not a day; use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, a list like mon,wed,fri, or daily")
            }
            guard let minute = LocalTime.minutes(from: words[1]) else {
                return failure("'\(words[1])' is not a time of day; use HH:MM from 00:00 to 23:59")
            }
            for day in days { times[day].append(minute) }
        }
        return .success(WeeklySlots(times: times))
    }

    private struct BadDay: Error { var text: String }

    private static func parseDays(_ text: String) -> Result<[Int], BadDay> {
        switch text {
        case "daily", "everyday": return .success(Array(0...6))
        case "weekdays": return .success(Array(0...4))
        case "weekends": return .success([5, 6])
        default: break
        }
        var days: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard ends.count <= 2 else { return .failure(BadDay(text: item)) }
            var indices: [Int] = []
            for end in ends {
                guard let day = dayNames.firstIndex(where: { $0.contains(end) }) else {
                    return .failure(BadDay(text: end.isEmpty ? item : end))
                }
                indices.append(day)
            }
            if indices.count == 1 {
                days.append(indices[0])
            } else {
                var day = indices[0]
                while true {
                    days.append(day)
                    if day == indices[1] { break }
                    day = (day + 1) % 7
                }
            }
        }
        return .success(days)
    }

    /// Slot instants strictly after `date`, in order, at most `limit` of them (DST rules on the type).
    public func slots(after date: Date, timeZone: TimeZone, limit: Int) -> [Date] {
        guard limit > 0, !isEmpty else { return [] }
        var result: [Date] = []
        // Start a day early: a slot's instant can be earlier than its wall day suggests around a DST change.
        let firstDay = LocalTime.day(LocalTime.localSeconds(date, timeZone)) - 1
        let lastDay = firstDay + 7 * (limit + 2)
        var day = firstDay
        while day <= lastDay {
            for minute in times[LocalTime.weekday(day)] {
                let instant = LocalTime.resolve(day: day, secondOfDay: minute * 60, timeZone).first
                if instant > (result.last ?? date) {
                    result.append(instant)
                    if result.count == limit { return result }
                }
            }
            day += 1
        }
        return result
    }

    /// The first slot strictly after `date`, or `nil` when there are no slots.
    public func next(after date: Date, timeZone: TimeZone) -> Date? {
        slots(after: date, timeZone: timeZone, limit: 1).first
    }
}
