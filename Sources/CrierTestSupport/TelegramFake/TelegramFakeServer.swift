import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of the Telegram Bot API, as strict as the real one where crier depends on it:
/// `POST /bot<token>/<method>` only for the known token (401 for a revoked one), `sendMessage` as
/// JSON, `sendPhoto`/`sendVideo`/`sendAnimation`/`sendMediaGroup` as multipart with the files in
/// the method's field or `attach://` names, `chat_id` a known chat (else "chat not found"), HTML
/// checked like `parse_mode: HTML` ("can't parse entities"), text 1–4096 and captions up to 1024
/// visible characters, photos up to 10 MB, albums of 2–10, `reply_parameters.message_id` and
/// `message_thread_id` that exist in the chat. Errors and 429s come in the Bot API's shape,
/// `{"ok":false,"error_code":…,"description":…,"parameters":{…}}`. Nothing is idempotent: a repeated
/// request makes a second message, as on Telegram.
public final class TelegramFakeServer: Sendable {
    public struct Message: Sendable, Equatable {
        public var chatID: Int64
        public var id: Int64
        /// `sendMessage` text, or the caption of a media message (HTML as sent).
        public var text: String
        public var replyTo: Int64?
        public var topic: Int64?
        /// `message`, `photo`, `video`, `animation`.
        public var kind: String
        /// The uploaded file's name and size, for media.
        public var file: String?
        public var fileBytes: Int
        /// Messages sent together by one `sendMediaGroup` share a group id.
        public var mediaGroup: String?
    }

    public struct Chat: Sendable, Equatable {
        public var id: Int64
        public var username: String?
        public var type: String
        /// Forum topic ids (`message_thread_id`) that exist.
        public var topics: Set<Int64>
        public init(id: Int64, username: String? = nil, type: String = "supergroup", topics: Set<Int64> = []) {
            self.id = id
            self.username = username
            self.type = type
            self.topics = topics
        }
    }

    public enum Fault: Sendable, Equatable {
        case dropBeforeActing
        /// Act on it, then close the connection without answering.
        case dropAfterActing
        /// `429 Too Many Requests: retry after N` with `parameters.retry_after`.
        case rateLimited(retryAfter: Int)
        /// A 5xx without acting.
        case status(Int)
    }

    private struct State {
        var messages: [Message] = []
        var violations: [String] = []
        var requests: [String] = []
        var nextID: Int64 = 100
        var groups = 0
    }

    public let token: String
    private let chats: [Chat]
    /// Old chat id → new supergroup id: these answer 400 with `migrate_to_chat_id`.
    private let migrated: [Int64: Int64]
    /// Chats the bot was removed from (403).
    private let kickedFrom: Set<Int64>
    private let revoked: Bool
    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> Fault?
    private let server: LoopbackHTTPServer

    public init(token: String, chats: [Chat], migrated: [Int64: Int64] = [:], kickedFrom: Set<Int64> = [], revoked: Bool = false,
                fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Fault? = { _, _ in nil }) throws {
        self.token = token
        self.chats = chats
        self.migrated = migrated
        self.kickedFrom = kickedFrom
        self.revoked = revoked
        self.fault = fault
        let box = Mutex<TelegramFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    public var url: String { server.baseURL }
    public func stop() { server.stop() }
    public var messages: [Message] { state.withLock { $0.messages } }
    public var violations: [String] { state.withLock { $0.violations } }
    /// `METHOD method` of every request (the token left out), in arrival order.
    public var requests: [String] { state.withLock { $0.requests } }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count == 3, components[0].isEmpty, components[1].hasPrefix("bot") else {
            return violation("not a Bot API path: \(request.method) \(path.replacingOccurrences(of: token, with: "<token>"))", status: 404,
                             description: "Not Found")
        }
        let method = String(components[2])
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(method)")
            return state.requests.count - 1
        }
        guard components[1].dropFirst(3) == token else {
            return Self.error(404, "Not Found")
        }
        if revoked { return Self.error(401, "Unauthorized") }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .rateLimited(let seconds):
            return Self.error(429, "Too Many Requests: retry after \(seconds)", parameters: ["retry_after": seconds])
        case .status(let status): return Self.error(status, "Internal Server Error")
        default: break
        }
        let reply = act(method: method, request: request)
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : reply
    }

    private func act(method: String, request: ReceivedHTTPRequest) -> HTTPReply {
        switch method {
        case "getMe":
            return Self.ok(["id": 4242, "is_bot": true, "first_name": "Crier", "username": "crier_test_bot"])
        case "sendMessage", "getChat":
            guard request.method == "POST", request.headers.value(for: "Content-Type")?.hasPrefix("application/json") == true,
                  let fields = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
                return violation("\(method) must be a POST with a JSON body", status: 400, description: "Bad Request: invalid JSON")
            }
            return method == "getChat" ? getChat(fields) : sendMessage(fields)
        case "sendPhoto", "sendVideo", "sendAnimation", "sendMediaGroup":
            guard request.method == "POST" else { return violation("\(method) must be a POST", status: 400, description: "Bad Request") }
            switch MultipartParts.parse(contentType: request.headers.value(for: "Content-Type"), body: request.body) {
            case .failure(let problem):
                return violation("\(method): \(problem)", status: 400, description: "Bad Request: \(problem)")
            case .success(let form):
                return method == "sendMediaGroup" ? sendMediaGroup(form) : sendMedia(method, form)
            }
        default:
            return violation("unknown method \(method)", status: 404, description: "Not Found: method not found")
        }
    }

    /// The chat a `chat_id` names, or the error answer Telegram gives.
    private func chat(_ value: Any?) -> Result<Chat, TelegramFakeRefusal> {
        let id: Int64?
        switch value {
        case let number as NSNumber: id = number.int64Value
        case let text as String where text.hasPrefix("@"): id = chats.first { "@" + ($0.username ?? "") == text }?.id
        case let text as String: id = Int64(text)
        default: id = nil
        }
        guard let id else { return .failure(TelegramFakeRefusal(400, "Bad Request: chat not found")) }
        if let newID = migrated[id] {
            return .failure(TelegramFakeRefusal(400, "Bad Request: group chat was upgraded to a supergroup chat",
                                                parameters: ["migrate_to_chat_id": newID]))
        }
        if kickedFrom.contains(id) { return .failure(TelegramFakeRefusal(403, "Forbidden: bot was kicked from the supergroup chat")) }
        guard let chat = chats.first(where: { $0.id == id }) else { return .failure(TelegramFakeRefusal(400, "Bad Request: chat not found")) }
        return .success(chat)
    }

    private func getChat(_ fields: [String: Any]) -> HTTPReply {
        switch chat(fields["chat_id"]) {
        case .failure(let refusal): return refusal.reply
        case .success(let chat):
            var object: [String: Any] = ["id": chat.id, "type": chat.type, "title": "Test chat"]
            if let username = chat.username { object["username"] = username }
            return Self.ok(object)
        }
    }

    private func sendMessage(_ fields: [String: Any]) -> HTTPReply {
        guard let text = fields["text"] as? String, !text.isEmpty else { return Self.error(400, "Bad Request: message text is empty") }
        guard fields["parse_mode"] as? String == "HTML" else {
            return violation("sendMessage without parse_mode HTML", status: 400, description: "Bad Request: crier always sends HTML")
        }
        if fields["reply_to_message_id"] != nil { state.withLock { $0.violations.append("reply_to_message_id is deprecated") } }
        if let options = fields["link_preview_options"], !(options is [String: Any]) {
            return violation("link_preview_options is not an object", status: 400, description: "Bad Request: can't parse link preview options")
        }
        return send(kind: "message", fields: fields, text: text, limit: 4096, file: nil)
    }

    private func sendMedia(_ method: String, _ form: MultipartParts) -> HTTPReply {
        let field = ["sendPhoto": "photo", "sendVideo": "video", "sendAnimation": "animation"][method] ?? "photo"
        guard let file = form.part(field), file.filename != nil else {
            return violation("\(method) without a file in `\(field)`", status: 400, description: "Bad Request: there is no \(field) in the request")
        }
        if field == "photo", file.body.count > 10_000_000 { return Self.error(400, "Bad Request: file is too big") }
        var fields = Self.fields(of: form)
        let caption = form.part("caption")?.text ?? ""
        if !caption.isEmpty, form.part("parse_mode")?.text != "HTML" {
            return violation("caption without parse_mode HTML", status: 400, description: "Bad Request: crier always sends HTML")
        }
        fields["caption"] = caption
        return send(kind: field, fields: fields, text: caption, limit: 1024, file: (file.filename ?? "", file.body.count))
    }

    private func sendMediaGroup(_ form: MultipartParts) -> HTTPReply {
        guard let mediaJSON = form.part("media"),
              let media = (try? JSONSerialization.jsonObject(with: mediaJSON.body)) as? [[String: Any]] else {
            return violation("sendMediaGroup without a JSON `media` array", status: 400, description: "Bad Request: can't parse media JSON object")
        }
        guard (2...10).contains(media.count) else { return Self.error(400, "Bad Request: wrong number of messages in the media group") }
        var fields = Self.fields(of: form)
        var files: [(String, Int, String, String)] = []
        for (index, entry) in media.enumerated() {
            guard let type = entry["type"] as? String, ["photo", "video"].contains(type), let reference = entry["media"] as? String,
                  reference.hasPrefix("attach://"), let file = form.part(String(reference.dropFirst("attach://".count))), file.filename != nil else {
                return violation("media[\(index)] does not name an attached photo or video", status: 400,
                                 description: "Bad Request: wrong file identifier/HTTP URL specified")
            }
            if type == "photo", file.body.count > 10_000_000 { return Self.error(400, "Bad Request: file is too big") }
            if index > 0, entry["caption"] != nil { state.withLock { $0.violations.append("caption on album item \(index + 1)") } }
            files.append((file.filename ?? "", file.body.count, type, entry["caption"] as? String ?? ""))
        }
        let caption = files[0].3
        if !caption.isEmpty, media[0]["parse_mode"] as? String != "HTML" {
            return violation("album caption without parse_mode HTML", status: 400, description: "Bad Request: crier always sends HTML")
        }
        fields["caption"] = caption
        let group = state.withLock { state -> String in
            state.groups += 1
            return "g\(state.groups)"
        }
        return send(kind: "album", fields: fields, text: caption, limit: 1024, file: nil, album: files, group: group)
    }

    /// Checks what every send shares (chat, topic, reply, text) and records the message(s).
    private func send(kind: String, fields: [String: Any], text: String, limit: Int, file: (String, Int)?,
                      album: [(String, Int, String, String)] = [], group: String? = nil) -> HTTPReply {
        let target: Chat
        switch chat(fields["chat_id"]) {
        case .failure(let refusal): return refusal.reply
        case .success(let found): target = found
        }
        var visibleCount = 0
        if !text.isEmpty {
            switch TelegramHTMLCheck.visibleText(text) {
            case .failure(let problem): return Self.error(400, "Bad Request: can't parse entities: \(problem.description)")
            case .success(let visible): visibleCount = visible.utf16.count
            }
        }
        if visibleCount > limit {
            return Self.error(400, limit == 1024 ? "Bad Request: message caption is too long" : "Bad Request: message is too long")
        }
        let topic = (fields["message_thread_id"] as? NSNumber)?.int64Value ?? (fields["message_thread_id"] as? String).flatMap { Int64($0) }
        if let topic, !target.topics.contains(topic) { return Self.error(400, "Bad Request: message thread not found") }
        var replyTo: Int64?
        if let parameters = fields["reply_parameters"] {
            guard let object = parameters as? [String: Any], let id = (object["message_id"] as? NSNumber)?.int64Value else {
                return violation("reply_parameters without message_id", status: 400, description: "Bad Request: can't parse reply parameters JSON object")
            }
            let exists = state.withLock { $0.messages.contains { $0.chatID == target.id && $0.id == id } }
            guard exists else { return Self.error(400, "Bad Request: message to be replied not found") }
            replyTo = id
        }
        let entries = album.isEmpty ? [(file?.0, file?.1 ?? 0, kind, text)] : album.map { (Optional($0.0), $0.1, $0.2, $0.3) }
        let sent = state.withLock { state -> [Message] in
            entries.map { entry in
                state.nextID += 1
                let message = Message(chatID: target.id, id: state.nextID, text: entry.3, replyTo: replyTo, topic: topic, kind: entry.2,
                                      file: entry.0, fileBytes: entry.1, mediaGroup: group)
                state.messages.append(message)
                return message
            }
        }
        let objects = sent.map { message -> [String: Any] in
            var chat: [String: Any] = ["id": target.id, "type": target.type]
            if let username = target.username { chat["username"] = username }
            return ["message_id": message.id, "chat": chat, "date": 1_700_000_000]
        }
        return group == nil ? Self.ok(objects[0]) : Self.ok(objects)
    }

    private static func fields(of form: MultipartParts) -> [String: Any] {
        var fields: [String: Any] = [:]
        for part in form.parts where part.filename == nil {
            if part.name == "reply_parameters" {
                fields[part.name] = (try? JSONSerialization.jsonObject(with: part.body)) ?? part.text
            } else {
                fields[part.name] = part.text
            }
        }
        return fields
    }

    private func violation(_ message: String, status: Int, description: String) -> HTTPReply {
        state.withLock { $0.violations.append(message) }
        return Self.error(status, description)
    }

    static func ok(_ result: Any) -> HTTPReply {
        json(["ok": true, "result": result], status: 200)
    }

    static func error(_ code: Int, _ description: String, parameters: [String: Any]? = nil) -> HTTPReply {
        var object: [String: Any] = ["ok": false, "error_code": code, "description": description]
        if let parameters { object["parameters"] = parameters }
        return json(object, status: code)
    }

    private static func json(_ object: Any, status: Int) -> HTTPReply {
        HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "application/json")],
                  body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
