import Foundation

/// `crier preview --json`: the shape in docs/formats.md, pretty-printed with sorted keys and unescaped slashes,
/// ending in a newline. The same report always gives the same bytes.
///
/// Written by hand: `JSONEncoder` took a quarter of a second for a 10,000-post preview. The bytes are
/// exactly those of `JSONEncoder` with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` on
/// the types' `Encodable` conformances (keys below are in sorted order); a test holds it to that.
public enum PreviewJSON {
    public static func encode(_ report: PreviewReport) -> Data {
        var head = JSONWriter()
        var root = PrettyObject(indent: 0, opening: &head)
        root.key("posts", &head)
        // `prettyArray` by hand: the posts are written in chunks on all cores (10,000 posts are 25 MB),
        // each chunk exactly as the loop over all of them would write it, then joined in order.
        head.raw("[")
        if report.posts.isEmpty { head.raw("\n") }
        let chunks = postChunks(report.posts)
        var tail = JSONWriter()
        tail.newline(indent: 2)
        tail.raw("]")
        root.close(&tail)
        tail.raw("\n")
        let parts = [head] + chunks + [tail]
        var data = Data(capacity: parts.reduce(0) { $0 + $1.bytes.count })
        for part in parts { data.append(contentsOf: part.bytes) }
        return data
    }

    /// Fewer posts than this are written on one thread.
    static let postsPerChunk = 512

    /// The members of the `posts` array (`,` before all but the first, each on its own line at
    /// indent 4), in order, in one writer per chunk of `postsPerChunk` or more posts.
    static func postChunks(_ posts: [PreviewPost]) -> [JSONWriter] {
        let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, posts.count / postsPerChunk))
        let size = (posts.count + chunks - 1) / max(chunks, 1)
        @Sendable func chunk(_ index: Int) -> JSONWriter {
            let range = min(index * size, posts.count)..<min((index + 1) * size, posts.count)
            // Sized from the texts, so a chunk of 12 MB is not copied as it grows.
            let estimate = posts[range].reduce(0) { sum, post in
                sum + 200 + post.deliveries.reduce(0) { $0 + 320 + $1.parts.reduce(0) { $0 + 160 + $1.text.utf8.count } }
            }
            var writer = JSONWriter(capacity: estimate)
            var at = TimestampCache()
            for position in range {
                if position > 0 { writer.raw(",") }
                writer.newline(indent: 4)
                post(posts[position], indent: 4, at: &at, into: &writer)
            }
            return writer
        }
        guard chunks > 1 else { return [chunk(0)] }
        return [JSONWriter](unsafeUninitializedCapacity: chunks) { buffer, initialized in
            // Each index is written by exactly one worker, and all are done when `concurrentPerform` returns.
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { index in
                (base + index).initialize(to: chunk(index))
            }
            initialized = chunks
        }
    }

    private static func post(_ post: PreviewPost, indent: Int, at: inout TimestampCache, into writer: inout JSONWriter) {
        var object = PrettyObject(indent: indent, opening: &writer)
        object.key("deliveries", &writer)
        prettyArray(post.deliveries, indent: indent + 2, into: &writer) { item, indent, writer in
            delivery(item, indent: indent, at: &at, into: &writer)
        }
        object.key("errors", &writer)
        prettyArray(post.errors, indent: indent + 2, into: &writer) { text, _, writer in writer.string(text) }
        object.key("file", &writer)
        writer.string(post.file)
        object.key("id", &writer)
        writer.string(post.id)
        object.close(&writer)
    }

    /// The last `at` written and its text: the deliveries of a preview share few instants (all of
    /// them, for a queue due now), and formatting a timestamp costs more than comparing two dates.
    private struct TimestampCache {
        var date: Date?
        var text = ""

        mutating func text(of date: Date) -> String {
            if date != self.date {
                self.date = date
                text = PreviewJSON.timestamp(date)
            }
            return text
        }
    }

    private static func delivery(_ delivery: PreviewDelivery, indent: Int, at: inout TimestampCache, into writer: inout JSONWriter) {
        var object = PrettyObject(indent: indent, opening: &writer)
        object.key("at", &writer)
        writer.optionalString(delivery.at.map { at.text(of: $0) })
        object.key("channel", &writer)
        writer.string(delivery.channel)
        if !delivery.errors.isEmpty {
            object.key("errors", &writer)
            prettyArray(delivery.errors, indent: indent + 2, into: &writer) { text, _, writer in writer.string(text) }
        }
        object.key("parts", &writer)
        prettyArray(delivery.parts, indent: indent + 2, into: &writer) { part, indent, writer in
            var object = PrettyObject(indent: indent, opening: &writer)
            object.key("length", &writer)
            writer.integer(part.length)
            object.key("limit", &writer)
            if let limit = part.limit { writer.integer(limit) } else { writer.raw("null") }
            if let request = part.request {
                object.key("request", &writer)
                Self.request(request, indent: indent + 2, into: &writer)
            }
            object.key("text", &writer)
            writer.string(part.text)
            object.close(&writer)
        }
        object.key("platform", &writer)
        writer.string(delivery.platform.rawValue)
        object.key("warnings", &writer)
        prettyArray(delivery.warnings, indent: indent + 2, into: &writer) { text, _, writer in writer.string(text) }
        object.close(&writer)
    }

    /// `{"body", "headers": [[name, value]…], "method", "step", "url"}`.
    private static func request(_ request: PreviewRequest, indent: Int, into writer: inout JSONWriter) {
        var object = PrettyObject(indent: indent, opening: &writer)
        object.key("body", &writer)
        writer.string(request.body)
        object.key("headers", &writer)
        prettyArray(request.headers, indent: indent + 2, into: &writer) { header, _, writer in
            writer.raw("[")
            writer.string(header.name)
            writer.raw(", ")
            writer.string(header.value)
            writer.raw("]")
        }
        object.key("method", &writer)
        writer.string(request.method)
        object.key("step", &writer)
        writer.string(request.step)
        object.key("url", &writer)
        writer.string(request.url)
        object.close(&writer)
    }

    /// An object whose braces sit at `indent`, each member on its own line at `indent + 2`.
    private struct PrettyObject {
        let indent: Int
        private var first = true

        init(indent: Int, opening writer: inout JSONWriter) {
            self.indent = indent
            writer.raw("{")
        }

        /// The separator, the line break and `"name" : `; the caller writes the value.
        mutating func key(_ name: StaticString, _ writer: inout JSONWriter) {
            if !first { writer.raw(",") }
            first = false
            writer.newline(indent: indent + 2)
            writer.prettyKey(name)
        }

        func close(_ writer: inout JSONWriter) {
            writer.newline(indent: indent)
            writer.raw("}")
        }
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

    /// RFC 3339 UTC (docs/formats.md): `2026-11-22T08:00:00Z` on a whole second, with milliseconds
    /// (`2026-11-22T08:00:00.250Z`) otherwise. Precision is that of `TimestampFormat` (milliseconds,
    /// rounded down).
    public static func timestamp(_ date: Date) -> String {
        let full = TimestampFormat.string(date)
        guard full.hasSuffix(".000Z") else { return full }
        return String(full.dropLast(".000Z".count)) + "Z"
    }
}
