import Foundation

/// Times as post files and `--at`/`--now` take them: ISO 8601 with an offset (`2026-11-22T09:00:00+01:00`, `…Z`), or a
/// local wall-clock time (`2026-11-22 09:00`, `2026-11-22T09:00[:ss]`) in the configured time zone.
public enum TimeParser {
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
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
