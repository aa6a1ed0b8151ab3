import Foundation

/// The one way crier writes instants in receipts, events and JSON output: RFC 3339 UTC with
/// milliseconds, e.g. `2026-11-22T08:00:00.412Z`. Formatted by hand: it is on every send's path, and
/// `String(format:)` costs several microseconds a call.
public enum TimestampFormat {
    public static func string(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let seconds = Int64((milliseconds / 1000).rounded(.down))
        let millis = Int(milliseconds - Double(seconds) * 1000)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        // Written straight into the string's storage: one allocation (24 bytes is too long for a
        // small string), no array of bytes beside it to copy from.
        return String(unsafeUninitializedCapacity: 24) { bytes in
            var count = 0
            func byte(_ value: UInt8) {
                bytes[count] = value
                count += 1
            }
            func append(_ value: Int, digits: Int) {
                var divisor = 1
                for _ in 1..<digits { divisor *= 10 }
                var rest = value
                while divisor > 0 {
                    byte(UInt8(48 + (rest / divisor) % 10))
                    rest %= divisor
                    divisor /= 10
                }
            }
            append(Int(parts.tm_year) + 1900, digits: 4)
            byte(UInt8(ascii: "-"))
            append(Int(parts.tm_mon) + 1, digits: 2)
            byte(UInt8(ascii: "-"))
            append(Int(parts.tm_mday), digits: 2)
            byte(UInt8(ascii: "T"))
            append(Int(parts.tm_hour), digits: 2)
            byte(UInt8(ascii: ":"))
            append(Int(parts.tm_min), digits: 2)
            byte(UInt8(ascii: ":"))
            append(Int(parts.tm_sec), digits: 2)
            byte(UInt8(ascii: "."))
            append(millis, digits: 3)
            byte(UInt8(ascii: "Z"))
            return count
        }
    }
}
