import Foundation

/// Parses `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3: IMF-fixdate, and the
/// obsolete RFC 850 and asctime forms recipients must accept).
public enum RetryAfter {
    /// Seconds from `now` to wait (never negative), or nil when the value is not understood.
    public static func seconds(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed) { return seconds >= 0 ? TimeInterval(seconds) : nil }
        // HTTP-dates are short ASCII. Anything else never reaches DateFormatter, which traps on
        // some non-ASCII text (a combining mark after a letter): a receiver's header must not be
        // able to crash crier.
        guard trimmed.utf8.count <= 64, trimmed.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed.replacingOccurrences(of: "  ", with: " ")) {
                return max(0, date.timeIntervalSince(now))
            }
        }
        return nil
    }
}
