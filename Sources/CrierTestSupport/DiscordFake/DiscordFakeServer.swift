import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of Discord's HTTP API (v10) for the two ways crier posts, as strict as Discord
/// where crier depends on it:
///
/// - bot: `POST /api/v10/channels/{id}/messages` with `Authorization: Bot <token>` (401 otherwise)
///   and a `DiscordBot (url, version)` User-Agent; a known channel (10003 Unknown Channel), one the
///   bot may see (50001 Missing Access) and post in (50013 Missing Permissions); `content` up to
///   2000 characters (50035 Invalid Form Body with the field error); `nonce` up to 25 characters —
///   with `enforce_nonce: true`, a nonce seen from the bot within `nonceWindow` answers the
///   message it already made instead of a new one; `message_reference` to a message of the channel.
/// - webhook: `POST /api/webhooks/{id}/{token}?wait=true[&thread_id=…]` (10015 Unknown Webhook);
///   no nonce, no replies: each request is a new message.
///
/// With files the body must be multipart: `payload_json` plus `files[n]`, each named by an
/// `attachments[n]` entry whose `description` (alt text) is at most 1024 characters. Errors and
/// 429s have Discord's JSON shapes and rate-limit headers.
public final class DiscordFakeServer: Sendable {
    public struct Message: Sendable, Equatable {
        public var id: String
        public var channelID: String
        public var content: String
        public var replyTo: String?
        public var nonce: String?
        /// `filename` and alt text of each attachment.
        public var attachments: [Attachment]
        public var viaWebhook: Bool
        public var parse: [String]?
    }

    public struct Attachment: Sendable, Equatable {
        public var filename: String
        public var description: String?
        public var bytes: Int
        /// The file's SHA-256 (hex), to compare with what was dropped.
        public var sha256: String?

        public init(filename: String, description: String?, bytes: Int, sha256: String? = nil) {
            self.filename = filename
            self.description = description
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    public enum Fault: Sendable, Equatable {
        case dropBeforeActing
        case dropAfterActing
        /// 429 with `retry_after` (seconds, fractional) in the body and the rate-limit headers.
        case rateLimited(retryAfter: Double)
        case status(Int)
    }

    private struct State {
        var messages: [Message] = []
        var violations: [String] = []
        var requests: [String] = []
        var nonces: [String: (message: Message, at: Date)] = [:]
        var nextID: UInt64 = 1_200_000_000_000_000_000
        var channelLookups = 0
    }

    public let botToken: String
    public let webhookID = "112233445566778899"
    public let webhookToken = "fakeWebhookToken_abcDEF-123"
    /// The guild every channel belongs to (channel and webhook objects carry it; created messages do
    /// not, as on Discord's HTTP API).
    public let guildID = "424242424242424242"
    private let channels: Set<String>
    private let hiddenChannels: Set<String>
    private let readOnlyChannels: Set<String>
    private let nonceWindow: TimeInterval
    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> Fault?
    private let server: LoopbackHTTPServer

    public init(botToken: String, channels: Set<String>, hiddenChannels: Set<String> = [], readOnlyChannels: Set<String> = [],
                nonceWindow: TimeInterval = 300, fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Fault? = { _, _ in nil }) throws {
        self.botToken = botToken
        self.channels = channels
        self.hiddenChannels = hiddenChannels
        self.readOnlyChannels = readOnlyChannels
        self.nonceWindow = nonceWindow
        self.fault = fault
        let box = Mutex<DiscordFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    /// The API root a bot channel's `url:` names.
    public var apiRoot: String { server.baseURL + "/api/v10" }
    /// The webhook URL (its token included) a webhook channel's `webhook_url` holds.
    public var webhookURL: String { server.baseURL + "/api/webhooks/\(webhookID)/\(webhookToken)" }
    public func stop() { server.stop() }
    public var messages: [Message] { state.withLock { $0.messages } }
    public var violations: [String] { state.withLock { $0.violations } }
    public var requests: [String] { state.withLock { $0.requests } }
    /// How many times a channel object was read (`GET /channels/{id}`).
    public var channelLookups: Int { state.withLock { $0.channelLookups } }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let pieces = request.path.split(separator: "?", maxSplits: 1).map(String.init)
        let path = pieces[0]
        let query = Self.query(pieces.count > 1 ? pieces[1] : "")
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(path.replacingOccurrences(of: webhookToken, with: "<token>"))")
            return state.requests.count - 1
        }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .rateLimited(let seconds): return Self.rateLimited(seconds)
        case .status(let status): return Self.error(status, code: 0, "\(status): Server Error")
        default: break
        }
        let components = path.split(separator: "/").map(String.init)
        let reply: HTTPReply
        if components.count == 5, components[0] == "api", components[1] == "v10", components[2] == "channels", components[4] == "messages",
           request.method == "POST" {
            reply = botMessage(request, channel: components[3])
        } else if components.count == 4, components[0] == "api", components[1] == "webhooks", request.method == "POST" {
            reply = webhookMessage(request, id: components[2], token: components[3], query: query)
        } else if components.count == 4, components[0] == "api", components[1] == "v10", components[2] == "channels", request.method == "GET" {
            reply = channelInfo(request, channel: components[3])
        } else if components.count == 4, components[0] == "api", components[1] == "webhooks", request.method == "GET" {
            reply = components[2] == webhookID && components[3] == webhookToken
                ? Self.json(["id": webhookID, "type": 1, "name": "Crier hook", "channel_id": "webhook-channel", "guild_id": guildID,
                             "token": webhookToken])
                : Self.error(404, code: 10015, "Unknown Webhook")
        } else if components == ["api", "v10", "users", "@me"], request.method == "GET" {
            reply = authorized(request) ? Self.json(["id": "4242", "username": "crier", "bot": true]) : Self.error(401, code: 0, "401: Unauthorized")
        } else {
            reply = violation("no such endpoint: \(request.method) \(path.replacingOccurrences(of: webhookToken, with: "<token>"))",
                              status: 404, code: 0, "404: Not Found")
        }
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : reply
    }

    /// `GET /channels/{id}`: the channel object (with its guild), for a bot that may see it.
    private func channelInfo(_ request: ReceivedHTTPRequest, channel: String) -> HTTPReply {
        guard authorized(request) else { return Self.error(401, code: 0, "401: Unauthorized") }
        guard channels.contains(channel) || readOnlyChannels.contains(channel) || hiddenChannels.contains(channel) else {
            return Self.error(404, code: 10003, "Unknown Channel")
        }
        if hiddenChannels.contains(channel) { return Self.error(403, code: 50001, "Missing Access") }
        state.withLock { $0.channelLookups += 1 }
        return Self.json(["id": channel, "type": 0, "name": "announcements", "guild_id": guildID])
    }

    private func authorized(_ request: ReceivedHTTPRequest) -> Bool {
        request.headers.value(for: "Authorization") == "Bot \(botToken)"
    }

    private func botMessage(_ request: ReceivedHTTPRequest, channel: String) -> HTTPReply {
        guard authorized(request) else { return Self.error(401, code: 0, "401: Unauthorized") }
        let agent = request.headers.value(for: "User-Agent") ?? ""
        guard agent.hasPrefix("DiscordBot ("), agent.hasSuffix(")"), agent.contains(", ") else {
            return violation("User-Agent '\(agent)' is not of the form DiscordBot ($url, $versionNumber)", status: 400, code: 0,
                             "Bad User-Agent")
        }
        guard channels.contains(channel) || hiddenChannels.contains(channel) || readOnlyChannels.contains(channel) else {
            return Self.error(404, code: 10003, "Unknown Channel")
        }
        if hiddenChannels.contains(channel) { return Self.error(403, code: 50001, "Missing Access") }
        if readOnlyChannels.contains(channel) { return Self.error(403, code: 50013, "Missing Permissions") }
        let payload: [String: Any]
        let files: [Attachment]
        switch body(of: request) {
        case .failure(let box): return box.reply
        case .success(let parsed): (payload, files) = parsed
        }
        let nonce: String?
        switch payload["nonce"] {
        case nil: nonce = nil
        case let text as String: nonce = text
        case let number as NSNumber: nonce = number.stringValue
        default: return Self.invalidForm("nonce", "NONCE_TYPE_INVALID", "Nonce must be an integer or string.")
        }
        if let nonce, nonce.count > 25 { return Self.invalidForm("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.") }
        let enforce = payload["enforce_nonce"] as? Bool ?? false
        if enforce, nonce == nil { return Self.invalidForm("nonce", "BASE_TYPE_REQUIRED", "This field is required") }
        var replyTo: String?
        if let reference = payload["message_reference"] {
            guard let object = reference as? [String: Any], let id = object["message_id"] as? String else {
                return Self.invalidForm("message_reference", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            }
            let exists = state.withLock { $0.messages.contains { $0.id == id && $0.channelID == channel } }
            guard exists else { return Self.invalidForm("message_reference", "REPLIES_UNKNOWN_MESSAGE", "Unknown message") }
            replyTo = id
        }
        if enforce, let nonce {
            let now = Date()
            let earlier = state.withLock { state -> Message? in
                guard let seen = state.nonces[channel + "/" + nonce], now.timeIntervalSince(seen.at) < nonceWindow else { return nil }
                return seen.message
            }
            if let earlier { return Self.json(Self.object(earlier)) }
        }
        return create(channel: channel, payload: payload, files: files, replyTo: replyTo, nonce: enforce ? nonce : nil, webhook: false)
    }

    private func webhookMessage(_ request: ReceivedHTTPRequest, id: String, token: String, query: [String: String]) -> HTTPReply {
        guard id == webhookID, token == webhookToken else { return Self.error(404, code: 10015, "Unknown Webhook") }
        guard query["wait"] == "true" else {
            state.withLock { $0.violations.append("webhook executed without wait=true: the message id does not come back") }
            return HTTPReply(status: 204)
        }
        let channel = query["thread_id"] ?? "webhook-channel"
        if let thread = query["thread_id"], !channels.contains(thread) { return Self.error(400, code: 10003, "Unknown Channel") }
        let payload: [String: Any]
        let files: [Attachment]
        switch body(of: request) {
        case .failure(let box): return box.reply
        case .success(let parsed): (payload, files) = parsed
        }
        if payload["message_reference"] != nil { state.withLock { $0.violations.append("webhooks cannot reply (message_reference)") } }
        return create(channel: channel, payload: payload, files: files, replyTo: nil, nonce: nil, webhook: true)
    }

    /// The JSON payload and files of a create request (JSON, or multipart with `payload_json`).
    private func body(of request: ReceivedHTTPRequest) -> Result<([String: Any], [Attachment]), HTTPReplyBox> {
        let type = request.headers.value(for: "Content-Type") ?? ""
        if type.hasPrefix("application/json") {
            guard let payload = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
                return .failure(HTTPReplyBox(Self.error(400, code: 50109, "The request body contains invalid JSON.")))
            }
            return .success((payload, []))
        }
        switch MultipartParts.parse(contentType: type, body: request.body) {
        case .failure(let problem):
            return .failure(HTTPReplyBox(violation("bad multipart body: \(problem)", status: 400, code: 50035, "Invalid Form Body")))
        case .success(let form):
            guard let json = form.part("payload_json"),
                  let payload = (try? JSONSerialization.jsonObject(with: json.body)) as? [String: Any] else {
                return .failure(HTTPReplyBox(violation("multipart without payload_json", status: 400, code: 50035, "Invalid Form Body")))
            }
            let entries = payload["attachments"] as? [[String: Any]] ?? []
            var files: [Attachment] = []
            for part in form.parts where part.name.hasPrefix("files[") {
                let index = Int(part.name.dropFirst("files[".count).dropLast()) ?? -1
                guard part.filename != nil, let entry = entries.first(where: { ($0["id"] as? NSNumber)?.intValue == index }) else {
                    return .failure(HTTPReplyBox(violation("\(part.name) has no attachments[] entry with id \(index)", status: 400, code: 50035,
                                                           "Invalid Form Body")))
                }
                let description = entry["description"] as? String
                if let description, description.count > 1024 {
                    return .failure(HTTPReplyBox(Self.invalidForm("attachments.\(index).description", "BASE_TYPE_MAX_LENGTH",
                                                                  "Must be 1024 or fewer in length.")))
                }
                if part.body.count > 10 * 1024 * 1024 {
                    return .failure(HTTPReplyBox(Self.error(413, code: 40005, "Request entity too large")))
                }
                files.append(Attachment(filename: entry["filename"] as? String ?? part.filename ?? "", description: description,
                                        bytes: part.body.count, sha256: ContentHash.of(part.body)))
            }
            return .success((payload, files))
        }
    }

    private func create(channel: String, payload: [String: Any], files: [Attachment], replyTo: String?, nonce: String?,
                        webhook: Bool) -> HTTPReply {
        let content = payload["content"] as? String ?? ""
        if content.isEmpty, files.isEmpty { return Self.error(400, code: 50006, "Cannot send an empty message") }
        if content.count > 2000 { return Self.invalidForm("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.") }
        let parse = (payload["allowed_mentions"] as? [String: Any])?["parse"] as? [String]
        let message = state.withLock { state -> Message in
            state.nextID += 1
            let message = Message(id: String(state.nextID), channelID: channel, content: content, replyTo: replyTo, nonce: nonce,
                                  attachments: files, viaWebhook: webhook, parse: parse)
            state.messages.append(message)
            if let nonce { state.nonces[channel + "/" + nonce] = (message, Date()) }
            return message
        }
        return Self.json(Self.object(message))
    }

    private static func object(_ message: Message) -> [String: Any] {
        var object: [String: Any] = ["id": message.id, "channel_id": message.channelID, "content": message.content, "type": message.replyTo == nil ? 0 : 19,
                                     "attachments": message.attachments.map { attachment -> [String: Any] in
                                         ["filename": attachment.filename, "description": attachment.description as Any? ?? NSNull()]
                                     }]
        if let nonce = message.nonce { object["nonce"] = nonce }
        if let reply = message.replyTo { object["message_reference"] = ["message_id": reply, "channel_id": message.channelID] }
        return object
    }

    private func violation(_ message: String, status: Int, code: Int, _ text: String) -> HTTPReply {
        state.withLock { $0.violations.append(message) }
        return Self.error(status, code: code, text)
    }

    private static func query(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    static func rateLimited(_ seconds: Double) -> HTTPReply {
        let body = (try? JSONSerialization.data(withJSONObject: ["message": "You are being rate limited.", "retry_after": seconds, "global": false],
                                                options: [.sortedKeys])) ?? Data()
        return HTTPReply(status: 429, headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Retry-After", String(Int(seconds.rounded(.up)))),
                                                HTTPHeader("X-RateLimit-Limit", "5"), HTTPHeader("X-RateLimit-Remaining", "0"),
                                                HTTPHeader("X-RateLimit-Reset-After", String(seconds)), HTTPHeader("X-RateLimit-Scope", "user")],
                         body: body)
    }

    static func invalidForm(_ field: String, _ code: String, _ message: String) -> HTTPReply {
        var errors: [String: Any] = ["_errors": [["code": code, "message": message]]]
        for key in field.split(separator: ".").reversed() { errors = [String(key): errors] }
        let body = (try? JSONSerialization.data(withJSONObject: ["code": 50035, "message": "Invalid Form Body", "errors": errors],
                                                options: [.sortedKeys])) ?? Data()
        return HTTPReply(status: 400, headers: [HTTPHeader("Content-Type", "application/json")], body: body)
    }

    static func error(_ status: Int, code: Int, _ message: String) -> HTTPReply {
        HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "application/json")],
                  body: (try? JSONSerialization.data(withJSONObject: ["code": code, "message": message], options: [.sortedKeys])) ?? Data())
    }

    static func json(_ object: Any) -> HTTPReply {
        HTTPReply(status: 200, headers: [HTTPHeader("Content-Type", "application/json")],
                  body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
