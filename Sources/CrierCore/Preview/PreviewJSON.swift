import Foundation

/// `crier preview --json`: the SPEC.md shape, pretty-printed with sorted keys and unescaped slashes,
/// ending in a newline. The same report always gives the same bytes.
///
/// Written by hand: `JSONEncoder` took a quarter of a second for a 10,000-post preview. The bytes are
/// exactly those of `JSONEncoder` with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` on
/// the types' `Encodable` conformances (keys below are in sorted order); a test holds it to that.
public enum PreviewJSON {
    public static func encode(_ report: PreviewReport) -> Data {
        var writer = JSONWriter(capacity: 256 + report.deliveryCount * 320)
        writer.raw("{")
        writer.newline(indent: 2)
        writer.prettyKey("posts")
        prettyArray(report.posts, indent: 2, into: &writer) { post, indent, writer in
            writer.raw("{")
            writer.newline(indent: indent + 2)
            writer.prettyKey("deliveries")
            prettyArray(post.deliveries, indent: indent + 2, into: &writer) { item, indent, writer in delivery(item, indent: indent, into: &writer) }
            writer.raw(",")
            writer.newline(indent: indent + 2)
            writer.prettyKey("errors")
            prettyArray(post.errors, indent: indent + 2, into: &writer) { text, _, writer in writer.string(text) }
            writer.raw(",")
            writer.newline(indent: indent + 2)
            writer.prettyKey("file")
            writer.string(post.file)
            writer.raw(",")
            writer.newline(indent: indent + 2)
            writer.prettyKey("id")
            writer.string(post.id)
            writer.newline(indent: indent)
            writer.raw("}")
        }
        writer.newline(indent: 0)
        writer.raw("}\n")
        return Data(writer.bytes)
    }

    private static func delivery(_ delivery: PreviewDelivery, indent: Int, into writer: inout JSONWriter) {
        writer.raw("{")
        writer.newline(indent: indent + 2)
        writer.prettyKey("at")
        writer.optionalString(delivery.at.map(timestamp))
        writer.raw(",")
        writer.newline(indent: indent + 2)
        writer.prettyKey("channel")
        writer.string(delivery.channel)
        if !delivery.errors.isEmpty {
            writer.raw(",")
            writer.newline(indent: indent + 2)
            writer.prettyKey("errors")
            prettyArray(delivery.errors, indent: indent + 2, into: &writer) { text, _, writer in writer.string(text) }
        }
        writer.raw(",")
        writer.newline(indent: indent + 2)
        writer.prettyKey("parts")
        prettyArray(delivery.parts, indent: indent + 2, into: &writer) { part, indent, writer in
            writer.raw("{")
            writer.newline(indent: indent + 2)
            writer.prettyKey("length")
            writer.integer(part.length)
            writer.raw(",")
            writer.newline(indent: indent + 2)
            writer.prettyKey("limit")
            if let limit = part.limit { writer.integer(limit) } else { writer.raw("null") }
            writer.raw(",")
            writer.newline(indent: indent + 2)
            writer.prettyKey("text")
            writer.string(part.text)
            writer.newline(indent: indent)
            writer.raw("}")
        }
        writer.raw(",")
        writer.newline(indent: indent + 2)
        writer.prettyKey("platform")
        writer.string(delivery.platform.rawValue)
        writer.raw(",")
        writer.newline(indent: indent + 2)
        writer.prettyKey("warnings")
        prettyArray(delivery.warnings, indent: indent + 2, into: &writer) { text, _, writer in writer.string(text) }
        writer.newline(indent: indent)
        writer.raw("}")
    }

    /// An array whose brackets sit at `indent` and whose elements sit at `indent + 2`; an empty one
    /// is `[`, a blank line, `]`, as Foundation writes it.
    private static func prettyArray<Element>(_ items: [Element], indent: Int, into writer: inout JSONWriter,
                                             _ element: (Element, Int, inout JSONWriter) -> Void) {
        writer.raw("[")
        if items.isEmpty { writer.raw("\n") }
        for (index, item) in items.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.newline(indent: indent + 2)
            element(item, indent + 2, &writer)
        }
        writer.newline(indent: indent)
        writer.raw("]")
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
