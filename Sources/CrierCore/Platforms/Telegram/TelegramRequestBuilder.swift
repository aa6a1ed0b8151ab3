import Foundation

/// Builds Bot API requests for one delivery: `sendMessage` (JSON), `sendPhoto`/`sendVideo`/
/// `sendAnimation` and `sendMediaGroup` (multipart, the text as the caption). The token goes into
/// the URL path, `…/bot<token>/<method>`, as the Bot API wants it; the engine redacts it from
/// everything it logs or records.
public struct TelegramRequestBuilder: Sendable {
    public var apiRoot: String
    public var token: String
    /// `chat_id`: a numeric id (sent as a number) or `@channelusername`.
    public var chat: String
    /// `message_thread_id` of a forum topic.
    public var topic: Int64?
    public var label: String

    public static let defaultAPIRoot = "https://api.telegram.org"

    public init(apiRoot: String, token: String, chat: String, topic: Int64?, label: String) {
        var root = Substring(apiRoot.isEmpty ? Self.defaultAPIRoot : apiRoot)
        while root.hasSuffix("/") { root = root.dropLast() }
        self.apiRoot = String(root)
        self.token = token
        self.chat = chat
        self.topic = topic
        self.label = label
    }

    public func url(_ method: String) -> String { "\(apiRoot)/bot\(token)/\(method)" }

    /// `sendMessage` with HTML, the post's link as the preview, and a reply to `replyTo`.
    public func sendMessage(text: String, link: String?, replyTo: Int64?) -> OutgoingRequest {
        var fields: [String: Any] = ["chat_id": chatValue, "text": text, "parse_mode": "HTML"]
        if let link { fields["link_preview_options"] = ["url": link] }
        if let topic { fields["message_thread_id"] = NSNumber(value: topic) }
        if let replyTo { fields["reply_parameters"] = Self.replyParameters(replyTo) }
        let body = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return OutgoingRequest(method: "POST", url: url("sendMessage"), headers: [HTTPHeader("Content-Type", "application/json")],
                               body: body, label: label)
    }

    /// One media file with the text as its caption: `sendPhoto`, `sendVideo` (MP4) or
    /// `sendAnimation` (GIF), as multipart with the file in the method's own field.
    public func sendMedia(_ item: MediaItem, bytes: Data, caption: String, replyTo: Int64?, boundary: String) -> OutgoingRequest {
        let (method, field) = Self.method(for: item)
        var form = MultipartForm(boundary: boundary)
        commonFields(&form, replyTo: replyTo)
        if !caption.isEmpty {
            form.field("caption", caption)
            form.field("parse_mode", "HTML")
        }
        form.file(field, filename: MultipartForm.filename(of: item.file), contentType: item.mimeType, bytes: bytes)
        return OutgoingRequest(method: "POST", url: url(method), headers: [HTTPHeader("Content-Type", form.contentType)],
                               body: form.encoded, label: label)
    }

    /// `sendMediaGroup`: an album of 2–10 photos and videos, the caption on the first item, each
    /// file attached as `attach://fileN`.
    public func sendMediaGroup(_ items: [(MediaItem, Data)], caption: String, replyTo: Int64?, boundary: String) -> OutgoingRequest {
        var form = MultipartForm(boundary: boundary)
        commonFields(&form, replyTo: replyTo)
        var media: [[String: Any]] = []
        for (index, (item, _)) in items.enumerated() {
            var entry: [String: Any] = ["type": item.isVideo ? "video" : "photo", "media": "attach://file\(index)"]
            if index == 0, !caption.isEmpty {
                entry["caption"] = caption
                entry["parse_mode"] = "HTML"
            }
            media.append(entry)
        }
        form.field("media", Self.json(media), contentType: "application/json")
        for (index, (item, bytes)) in items.enumerated() {
            form.file("file\(index)", filename: MultipartForm.filename(of: item.file), contentType: item.mimeType, bytes: bytes)
        }
        return OutgoingRequest(method: "POST", url: url("sendMediaGroup"), headers: [HTTPHeader("Content-Type", form.contentType)],
                               body: form.encoded, label: label)
    }

    /// `getMe` or `getChat` (the online check).
    public func lookup(_ method: String, chat: Bool) -> OutgoingRequest {
        guard chat else { return OutgoingRequest(method: "GET", url: url(method), label: label) }
        let body = (try? JSONSerialization.data(withJSONObject: ["chat_id": chatValue], options: [.sortedKeys])) ?? Data()
        return OutgoingRequest(method: "POST", url: url(method), headers: [HTTPHeader("Content-Type", "application/json")],
                               body: body, label: label)
    }

    private func commonFields(_ form: inout MultipartForm, replyTo: Int64?) {
        form.field("chat_id", chat)
        if let topic { form.field("message_thread_id", String(topic)) }
        if let replyTo { form.field("reply_parameters", Self.json(Self.replyParameters(replyTo)), contentType: "application/json") }
    }

    /// A numeric chat id goes as a JSON number, `@name` as a string.
    private var chatValue: Any {
        if let number = Int64(chat) { return NSNumber(value: number) }
        return chat
    }

    /// Replies must find their parent: a deleted parent fails the part rather than posting it
    /// outside the thread.
    private static func replyParameters(_ messageID: Int64) -> [String: Any] {
        ["message_id": NSNumber(value: messageID), "allow_sending_without_reply": false]
    }

    static func method(for item: MediaItem) -> (method: String, field: String) {
        if item.mimeType == "image/gif" { return ("sendAnimation", "animation") }
        if item.isVideo { return ("sendVideo", "video") }
        return ("sendPhoto", "photo")
    }

    private static func json(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
