import Foundation

/// The `m.room.message` contents crier sends: a text (or notice) with the renderer's HTML, and one
/// media event per file. JSON with sorted keys, so a repeated step sends identical bytes.
public enum MatrixEventContent {
    /// Where an event sits in a thread: `m.thread` rooted at part 1, with the `m.in_reply_to`
    /// fallback to the event before it (spec "Threading": clients without thread support show a reply).
    public struct Thread: Sendable, Equatable {
        public var root: String
        public var previous: String

        public init(root: String, previous: String) {
            self.root = root
            self.previous = previous
        }
    }

    /// `{msgtype, body, format, formatted_body, m.relates_to?}`.
    public static func text(msgtype: String, body: String, html: String?, thread: Thread?) -> Data {
        var content: [String: Any] = ["msgtype": msgtype, "body": body]
        if let html {
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = html
        }
        if let thread { content["m.relates_to"] = relation(thread) }
        return encoded(content)
    }

    /// `m.image` (or `m.video`, `m.file`) for an uploaded file: `body` is the alt text (the spec's
    /// caption when it differs from `filename`), else the file name.
    public static func media(_ item: MediaItem, contentURI: String, thread: Thread?) -> Data {
        let filename = item.file.split(separator: "/").last.map(String.init) ?? item.file
        var info: [String: Any] = ["mimetype": item.mimeType, "size": item.byteCount]
        if let width = item.width { info["w"] = width }
        if let height = item.height { info["h"] = height }
        var content: [String: Any] = ["msgtype": msgtype(of: item), "body": item.alt ?? filename, "filename": filename,
                                      "url": contentURI, "info": info]
        if let thread { content["m.relates_to"] = relation(thread) }
        return encoded(content)
    }

    static func msgtype(of item: MediaItem) -> String {
        if item.isImage { return "m.image" }
        if item.isVideo { return "m.video" }
        return "m.file"
    }

    private static func relation(_ thread: Thread) -> [String: Any] {
        ["rel_type": "m.thread", "event_id": thread.root, "is_falling_back": true, "m.in_reply_to": ["event_id": thread.previous]]
    }

    private static func encoded(_ content: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: content, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
