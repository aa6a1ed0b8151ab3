import Foundation

/// Durations as people write them in config and post files: `90s`, `5m`, `2h`, `1d`, `1h30m`,
/// `250ms`, or a plain number of seconds.
public enum DurationParser {
    /// The longest duration accepted: 100 years. Anything longer (or `inf`, `1e400`) cannot be meant,
    /// and overflowed later: `Int(seconds)` traps, so `crier check` crashed on
    /// `retry: { base: 1e30, max_delay: 1s }` while formatting its own error (found by fuzzing, `fuzz/`).
    public static let maximum: TimeInterval = 100 * 365.25 * 86_400

    public static func seconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.isEmpty { return nil }
        if let plain = Double(trimmed) { return plain >= 0 && plain <= maximum ? plain : nil }
        var total: TimeInterval = 0
        var number = ""
        var unit = ""
        var sawComponent = false

        func flush() -> Bool {
            guard let value = Double(number), !unit.isEmpty else { return false }
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s", "sec", "secs", "second", "seconds": scale = 1
            case "m", "min", "mins", "minute", "minutes": scale = 60
            case "h", "hr", "hrs", "hour", "hours": scale = 3600
            case "d", "day", "days": scale = 86_400
            case "w", "week", "weeks": scale = 604_800
            default: return false
            }
            total += value * scale
            number = ""
            unit = ""
            sawComponent = true
            return true
        }

        for character in trimmed where character != " " {
            if character.isNumber || character == "." {
                if !unit.isEmpty, !flush() { return nil }
                number.append(character)
            } else if character.isLetter {
                if number.isEmpty { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), sawComponent, total <= maximum else { return nil }
        return total
    }

    /// The shortest honest rendering: `2h`, `1h30m`, `45s`, `250ms`.
    public static func format(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) <= maximum else { return "\(seconds)s" }
        if seconds < 1, seconds > 0 { return "\(Int((seconds * 1000).rounded()))ms" }
        var rest = Int(seconds.rounded())
        if rest == 0 { return "0s" }
        var parts: [String] = []
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        return parts.joined()
    }
}
