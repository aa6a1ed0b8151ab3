import Foundation

/// `crier preview --json`: the SPEC.md shape, pretty-printed with sorted keys and unescaped slashes,
/// ending in a newline. The same report always gives the same bytes.
public enum PreviewJSON {
    public static func encode(_ report: PreviewReport) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(report)) ?? Data()) + Data("\n".utf8)
    }

    /// RFC 3339 UTC as in SPEC.md: `2026-11-22T08:00:00Z` on a whole second, with milliseconds
    /// (`2026-11-22T08:00:00.250Z`) otherwise. Precision is that of `TimestampFormat` (milliseconds,
    /// rounded down).
    public static func timestamp(_ date: Date) -> String {
        let full = TimestampFormat.string(date)
        guard full.hasSuffix(".000Z") else { return full }
        return String(full.dropLast(".000Z".count)) + "Z"
    }
}
