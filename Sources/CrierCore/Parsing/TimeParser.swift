import Foundation

/// Times as post files and `--at`/`--now` take them: ISO 8601 with an offset (`2026-11-22T09:00:00+01:00`, `…Z`), or a
/// local wall-clock time (`2026-11-22 09:00`, `2026-11-22T09:00[:ss]`) in the configured time zone.
///
/// A time with an explicit offset or `Z` (what every generated post carries) is computed with integer
/// arithmetic (`withOffset`); everything else — wall-clock times in a zone, non-ASCII text, years
/// before 1600, anything the fast path does not recognise — goes through Foundation's Gregorian
/// calendar (`withCalendar`), which the fast path is held to, bit for bit, by the tests. The
/// calendar path cost ≈ 7 µs per post (a `Calendar`, two NSString trims, a scalar array); a first
/// pick-up of 100,000 posts spent a tenth of its CPU there.
public enum TimeParser {
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        withOffset(text) ?? withCalendar(text, timeZone: timeZone)
    }

    /// The fast path: `YYYY-MM-DD[T ]hh:mm[:ss[.fff]]` followed by `Z` or `±hh[:]mm` / `±hh`, in
    /// printable ASCII (spaces and tabs around it), year 1600 or later. Nil means "not handled here"
    /// (the calendar path decides, also for every invalid text), never "invalid".
    static func withOffset(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { all -> Date? in
            var start = 0
            var end = all.count
            for byte in all where !(byte >= 0x20 && byte < 0x7F) && byte != 0x09 { return nil }
            while start < end, all[start] == 0x20 || all[start] == 0x09 { start += 1 }
            while end > start, all[end - 1] == 0x20 || all[end - 1] == 0x09 { end -= 1 }
            let bytes = UnsafeBufferPointer(rebasing: all[start..<end])
            guard bytes.count >= 16 else { return nil }
            func number(_ at: Int, _ length: Int) -> Int? {
                guard at + length <= bytes.count else { return nil }
                var value = 0
                for byte in bytes[at..<(at + length)] {
                    guard byte >= 0x30, byte <= 0x39 else { return nil }
                    value = value * 10 + Int(byte - 0x30)
                }
                return value
            }
            guard let year = number(0, 4), bytes[4] == UInt8(ascii: "-"), let month = number(5, 2), bytes[7] == UInt8(ascii: "-"),
                  let day = number(8, 2), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "t"),
                  let hour = number(11, 2), bytes[13] == UInt8(ascii: ":"), let minute = number(14, 2) else { return nil }
            var index = 16
            var second = 0
            var nanosecond = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                guard let parsed = number(index + 1, 2) else { return nil }
                second = parsed
                index += 3
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    var digits = 0
                    var fraction = 0
                    while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                        fraction = fraction &* 10 &+ Int(bytes[index] - 0x30)
                        digits += 1
                        index += 1
                    }
                    // Up to 15 digits both numbers are exact doubles, so the division is the
                    // correctly rounded value of the decimal, as `Double("0." + digits)` gives.
                    guard digits > 0, digits <= 15 else { return nil }
                    var scale = 1.0
                    for _ in 0..<digits { scale *= 10 }
                    nanosecond = Int(Double(fraction) / scale * 1_000_000_000)
                }
            }
            // The zone: `Z`, or an offset whose colons are ignored, of 2 or 4 digits.
            guard index < bytes.count else { return nil }
            var offset = 0
            if bytes.count - index == 1, bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
                offset = 0
            } else {
                let sign = bytes[index]
                guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
                var digits: [UInt8] = []
                for byte in bytes[(index + 1)...] where byte != UInt8(ascii: ":") {
                    guard byte >= 0x30, byte <= 0x39, digits.count < 4 else { return nil }
                    digits.append(byte - 0x30)
                }
                guard digits.count == 4 || digits.count == 2 else { return nil }
                let hours = Int(digits[0]) * 10 + Int(digits[1])
                let minutes = digits.count == 4 ? Int(digits[2]) * 10 + Int(digits[3]) : 0
                offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
                // Offsets of 18 hours or more are the calendar path's to judge.
                guard hours < 18, minutes < 60 else { return nil }
            }
            guard year >= 1600, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), (0...23).contains(hour),
                  (0...59).contains(minute), (0...60).contains(second) else { return nil }
            // The calendar's order of operations, which gives the same double: the day's start in
            // seconds since 2001-01-01 (day 11,323 after 1970-01-01), plus the time of day with its
            // fraction, minus the offset. A leap second is taken as :59, as the calendar does.
            let dayStart = (daysSince1970(year: year, month: month, day: day) - 11_323) * 86_400
            let timeOfDay = hour * 3600 + minute * 60 + min(second, 59)
            let interval = (Double(dayStart) + (Double(timeOfDay) + Double(nanosecond) / 1_000_000_000)) - Double(offset)
            // A fraction that rounds up to the next second (`23:59:59.999999999`) may roll the
            // date over, which the calendar path rejects: its to judge.
            guard interval < Double(dayStart + timeOfDay + 1 - offset) else { return nil }
            return Date(timeIntervalSinceReferenceDate: interval)
        }
    }

    /// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (Howard Hinnant's
    /// `days_from_civil`).
    private static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The reference path: any text, through Foundation's Gregorian calendar.
    static func withCalendar(_ text: String, timeZone: TimeZone) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 16 else { return nil }
        let scalars = Array(trimmed.unicodeScalars)

        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= scalars.count else { return nil }
            var value = 0
            for scalar in scalars[start..<(start + length)] {
                guard scalar.value >= 48, scalar.value <= 57 else { return nil }
                value = value * 10 + Int(scalar.value - 48)
            }
            return value
        }

        guard let year = number(0, 4), scalars[4] == "-", let month = number(5, 2), scalars[7] == "-",
              let day = number(8, 2), scalars[10] == "T" || scalars[10] == " " || scalars[10] == "t",
              let hour = number(11, 2), scalars[13] == ":", let minute = number(14, 2) else { return nil }
        var index = 16
        var second = 0
        var nanosecond = 0
        if index < scalars.count, scalars[index] == ":" {
            guard let parsed = number(index + 1, 2) else { return nil }
            second = parsed
            index += 3
            if index < scalars.count, scalars[index] == "." || scalars[index] == "," {
                index += 1
                var digits = ""
                while index < scalars.count, let digit = number(index, 1) {
                    digits.append(String(digit))
                    index += 1
                }
                guard !digits.isEmpty else { return nil }
                nanosecond = Int((Double("0." + digits) ?? 0) * 1_000_000_000)
            }
        }
        var zone = timeZone
        if index < scalars.count {
            let rest = String(String.UnicodeScalarView(scalars[index...])).trimmingCharacters(in: .whitespaces)
            guard let offsetZone = offsetTimeZone(rest) else { return nil }
            zone = offsetZone
        }
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
              (0...60).contains(second) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute,
                                        second: min(second, 59), nanosecond: nanosecond)
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates Calendar silently rolled over (e.g. February 30th).
        let check = calendar.dateComponents([.year, .month, .day], from: date)
        guard check.year == year, check.month == month, check.day == day else { return nil }
        return date
    }

    private static func offsetTimeZone(_ text: String) -> TimeZone? {
        if text == "Z" || text == "z" { return TimeZone(identifier: "UTC") }
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let digits = text.dropFirst().filter { $0 != ":" }
        guard digits.count == 4 || digits.count == 2, digits.allSatisfy(\.isNumber),
              let value = Int(digits) else { return nil }
        let hours = digits.count == 4 ? value / 100 : value
        let minutes = digits.count == 4 ? value % 100 : 0
        guard hours <= 18, minutes < 60 else { return nil }
        let seconds = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
        return TimeZone(secondsFromGMT: seconds)
    }
}
