import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of Slack for the two ways crier posts, as strict as Slack where crier depends on
/// it:
///
/// - Web API under `/api/`: `chat.postMessage` (POST, JSON with `Authorization: Bearer xoxb-…`;
///   `channel` a known channel id the bot is a member of, `text` 1–40,000 characters, `thread_ts`
///   the ts of a top-level message in that channel), `chat.getPermalink` and `auth.test`. Errors
///   come the Web API's way: HTTP 200 with `{"ok":false,"error":"not_in_channel"}` (`not_authed`,
///   `invalid_auth`, `token_revoked`, `channel_not_found`, `is_archived`, `msg_too_long`,
///   `no_text`, `internal_error`); rate limits as 429 with `Retry-After`.
/// - incoming webhook `POST /services/T…/B…/…`: JSON `{"text"}` answered `200 ok` (no ts), errors
///   as status + word (`invalid_payload`, `no_text`, `channel_not_found`, `channel_is_archived`,
///   `action_prohibited`, `no_service`).
///
/// Nothing is idempotent: every accepted request is a new message.
public final class SlackFakeServer: Sendable {
    public struct Message: Sendable, Equatable {
        public var channel: String
        public var ts: String
        public var text: String
        public var threadTS: String?
        public var viaWebhook: Bool
        /// Files shared with the message: name, alt text, bytes.
        public var files: [File] = []
    }

    public struct File: Sendable, Equatable {
        public var id: String
        public var filename: String
        public var altText: String?
        public var declaredLength: Int
        public var uploadedBytes: Int?
        /// The ts of the message that shared it, once Slack has shared it (after one `files.info`).
        public var sharedTS: String?
        public var infoReads = 0
    }

    public enum Fault: Sendable, Equatable {
        case dropBeforeActing
        case dropAfterActing
        /// HTTP 429 with `Retry-After: N` and `{"ok":false,"error":"ratelimited"}`.
        case rateLimited(retryAfter: Int)
        /// HTTP 200 `{"ok":false,"error":…}` without acting (e.g. `internal_error`).
        case apiError(String)
    }

    /// What the incoming webhook's channel is like.
    public enum WebhookState: Sendable, Equatable {
        case ok, archived, deleted, prohibited
    }

    private struct State {
        var messages: [Message] = []
        var violations: [String] = []
        var requests: [String] = []
        var clock = 1_700_000_000_000_100
        var files: [String: File] = [:]
    }

    public let token: String
    public let webhookPath = "/services/T0FAKE/B0FAKE/fakeWebhookSecret123"
    private let memberOf: Set<String>
    private let otherChannels: Set<String>
    private let archived: Set<String>
    private let revoked: Bool
    private let webhookState: WebhookState
    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> Fault?
    private let server: LoopbackHTTPServer

    /// - Parameters:
    ///   - memberOf: channel ids the bot is in; `otherChannels` exist but the bot is not in them.
    public init(token: String, memberOf: Set<String>, otherChannels: Set<String> = [], archived: Set<String> = [], revoked: Bool = false,
                webhookState: WebhookState = .ok, fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Fault? = { _, _ in nil }) throws {
        self.token = token
        self.memberOf = memberOf
        self.otherChannels = otherChannels
        self.archived = archived
        self.revoked = revoked
        self.webhookState = webhookState
        self.fault = fault
        let box = Mutex<SlackFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    public var apiRoot: String { server.baseURL + "/api" }
    public var webhookURL: String { server.baseURL + webhookPath }
    public func stop() { server.stop() }
    public var messages: [Message] { state.withLock { $0.messages } }
    public var violations: [String] { state.withLock { $0.violations } }
    public var requests: [String] { state.withLock { $0.requests } }
    public var files: [File] { state.withLock { $0.files.values.sorted { $0.id < $1.id } } }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let pieces = request.path.split(separator: "?", maxSplits: 1).map(String.init)
        let path = pieces[0]
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(path == webhookPath ? "/services/<webhook>" : path)")
            return state.requests.count - 1
        }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .rateLimited(let seconds):
            return HTTPReply(status: 429, headers: [HTTPHeader("Retry-After", String(seconds)), HTTPHeader("Content-Type", "application/json")],
                             body: Data(#"{"error":"ratelimited","ok":false}"#.utf8))
        case .apiError(let error): return Self.fail(error)
        default: break
        }
        let reply: HTTPReply
        switch path {
        case "/api/chat.postMessage": reply = postMessage(request)
        case "/api/chat.getPermalink": reply = permalink(request, query: pieces.count > 1 ? pieces[1] : "")
        case "/api/files.getUploadURLExternal": reply = getUploadURL(request)
        case "/api/files.completeUploadExternal": reply = completeUpload(request)
        case "/api/files.info": reply = fileInfo(request, query: pieces.count > 1 ? pieces[1] : "")
        case "/api/auth.test": reply = authorized(request) ?? Self.ok(["url": "https://fake.slack.com/", "team": "Fake", "user": "crier",
                                                                       "team_id": "T0FAKE", "user_id": "U0CRIER", "bot_id": "B0CRIER"])
        default:
            if path.hasPrefix("/services/") { reply = webhook(request, path: path) } else if path.hasPrefix("/upload/") {
                reply = upload(request, fileID: String(path.dropFirst("/upload/".count)))
            } else {
                state.withLock { $0.violations.append("no such endpoint: \(request.method) \(path)") }
                reply = HTTPReply(status: 404, body: Data("unknown_method".utf8))
            }
        }
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : reply
    }

    /// nil when the bearer token is the bot's; else the Web API's error answer.
    private func authorized(_ request: ReceivedHTTPRequest) -> HTTPReply? {
        guard let header = request.headers.value(for: "Authorization"), header.hasPrefix("Bearer ") else { return Self.fail("not_authed") }
        guard header.dropFirst("Bearer ".count) == token else { return Self.fail("invalid_auth") }
        return revoked ? Self.fail("token_revoked") : nil
    }

    private func postMessage(_ request: ReceivedHTTPRequest) -> HTTPReply {
        guard request.method == "POST" else { return violation("chat.postMessage must be a POST", "invalid_request") }
        if let refusal = authorized(request) { return refusal }
        guard request.headers.value(for: "Content-Type")?.lowercased().hasPrefix("application/json") == true,
              let fields = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            return violation("chat.postMessage without a JSON body", "invalid_json")
        }
        guard let channel = fields["channel"] as? String, !channel.isEmpty else { return Self.fail("channel_not_found") }
        guard memberOf.contains(channel) || otherChannels.contains(channel) || archived.contains(channel) else {
            return Self.fail("channel_not_found")
        }
        if archived.contains(channel) { return Self.fail("is_archived") }
        guard memberOf.contains(channel) else { return Self.fail("not_in_channel") }
        guard let text = fields["text"] as? String, !text.isEmpty else { return Self.fail("no_text") }
        if text.count > 40_000 { return Self.fail("msg_too_long") }
        let threadTS = fields["thread_ts"] as? String
        return state.withLock { state -> HTTPReply in
            if let threadTS, !state.messages.contains(where: { $0.ts == threadTS && $0.channel == channel && $0.threadTS == nil }) {
                state.violations.append("thread_ts \(threadTS) is not a top-level message of \(channel)")
                return Self.fail("thread_not_found")
            }
            state.clock += 100
            let ts = "\(state.clock / 1_000_000).\(String(format: "%06d", state.clock % 1_000_000))"
            state.messages.append(Message(channel: channel, ts: ts, text: text, threadTS: threadTS, viaWebhook: false))
            var message: [String: Any] = ["type": "message", "text": text, "ts": ts, "user": "U0CRIER", "bot_id": "B0CRIER"]
            if let threadTS { message["thread_ts"] = threadTS }
            return Self.ok(["channel": channel, "ts": ts, "message": message])
        }
    }

    /// `files.getUploadURLExternal`: form-encoded `filename`, `length` (> 0), optional `alt_txt`
    /// (at most 1,000 characters).
    private func getUploadURL(_ request: ReceivedHTTPRequest) -> HTTPReply {
        guard request.method == "POST" else { return violation("files.getUploadURLExternal must be a POST", "invalid_request") }
        if let refusal = authorized(request) { return refusal }
        guard request.headers.value(for: "Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true else {
            return violation("files.getUploadURLExternal is form-encoded here", "invalid_form_data")
        }
        let fields = Self.form(String(decoding: request.body, as: UTF8.self))
        guard let filename = fields["filename"], !filename.isEmpty, let length = fields["length"].flatMap({ Int($0) }), length > 0 else {
            return violation("files.getUploadURLExternal without filename and length", "missing_argument")
        }
        if let alt = fields["alt_txt"], alt.count > 1000 { return Self.fail("alt_txt_too_large") }
        let base = server.baseURL
        return state.withLock { state -> HTTPReply in
            let id = "F\(String(format: "%08d", state.files.count + 1))"
            state.files[id] = File(id: id, filename: filename, altText: fields["alt_txt"], declaredLength: length)
            return Self.ok(["upload_url": "\(base)/upload/\(id)", "file_id": id])
        }
    }

    /// The upload URL: the bytes, exactly `length` of them.
    private func upload(_ request: ReceivedHTTPRequest, fileID: String) -> HTTPReply {
        state.withLock { state -> HTTPReply in
            guard request.method == "POST", var file = state.files[fileID] else {
                state.violations.append("upload to an unknown file \(fileID)")
                return HTTPReply(status: 404, body: Data("not found".utf8))
            }
            guard request.body.count == file.declaredLength else {
                state.violations.append("upload of \(request.body.count) bytes for a declared length of \(file.declaredLength)")
                return HTTPReply(status: 400, body: Data("length mismatch".utf8))
            }
            file.uploadedBytes = request.body.count
            state.files[fileID] = file
            return HTTPReply(status: 200, body: Data("OK - \(request.body.count)".utf8))
        }
    }

    /// `files.completeUploadExternal`: every file uploaded, shared in `channel_id` as one message with
    /// `initial_comment`. The share (and so the message's ts) shows in `files.info` only afterwards.
    private func completeUpload(_ request: ReceivedHTTPRequest) -> HTTPReply {
        if let refusal = authorized(request) { return refusal }
        guard let fields = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any],
              let files = fields["files"] as? [[String: Any]], !files.isEmpty else {
            return violation("files.completeUploadExternal without files", "invalid_arguments")
        }
        guard let channel = fields["channel_id"] as? String else { return violation("share without channel_id (the files would stay private)", "invalid_arguments") }
        guard memberOf.contains(channel) || otherChannels.contains(channel) || archived.contains(channel) else { return Self.fail("channel_not_found") }
        if archived.contains(channel) { return Self.fail("is_archived") }
        guard memberOf.contains(channel) else { return Self.fail("not_in_channel") }
        let text = fields["initial_comment"] as? String ?? ""
        return state.withLock { state -> HTTPReply in
            var shared: [File] = []
            for entry in files {
                guard let id = entry["id"] as? String, let file = state.files[id], file.uploadedBytes != nil else {
                    state.violations.append("completeUploadExternal of a file that was not uploaded: \(entry)")
                    return Self.fail("file_not_found")
                }
                shared.append(file)
            }
            state.clock += 100
            let ts = "\(state.clock / 1_000_000).\(String(format: "%06d", state.clock % 1_000_000))"
            for file in shared { state.files[file.id]?.sharedTS = ts }
            state.messages.append(Message(channel: channel, ts: ts, text: text, threadTS: nil, viaWebhook: false,
                                          files: shared.map { state.files[$0.id] ?? $0 }))
            return Self.ok(["files": shared.map { ["id": $0.id, "title": $0.filename] }])
        }
    }

    /// `files.info`: the file, its shares filled in from the second read on (Slack shares asynchronously).
    private func fileInfo(_ request: ReceivedHTTPRequest, query: String) -> HTTPReply {
        if let refusal = authorized(request) { return refusal }
        let id = Self.form(query)["file"] ?? ""
        return state.withLock { state -> HTTPReply in
            guard var file = state.files[id] else { return Self.fail("file_not_found") }
            file.infoReads += 1
            state.files[id] = file
            var object: [String: Any] = ["id": file.id, "name": file.filename]
            if let ts = file.sharedTS, file.infoReads > 1, let message = state.messages.first(where: { $0.ts == ts }) {
                object["shares"] = ["public": [message.channel: [["ts": ts, "channel_name": "news"]]]]
            } else {
                object["shares"] = [String: Any]()
            }
            return Self.ok(["file": object])
        }
    }

    private static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
        }
        return fields
    }

    private func permalink(_ request: ReceivedHTTPRequest, query: String) -> HTTPReply {
        if let refusal = authorized(request) { return refusal }
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1].removingPercentEncoding }
        }
        guard let channel = fields["channel"], let ts = fields["message_ts"] else { return Self.fail("invalid_arguments") }
        guard state.withLock({ $0.messages.contains { $0.channel == channel && $0.ts == ts } }) else { return Self.fail("message_not_found") }
        return Self.ok(["channel": channel, "permalink": "https://fake.slack.com/archives/\(channel)/p\(ts.replacingOccurrences(of: ".", with: ""))"])
    }

    private func webhook(_ request: ReceivedHTTPRequest, path: String) -> HTTPReply {
        guard path == webhookPath else { return HTTPReply(status: 404, body: Data("no_service".utf8)) }
        switch webhookState {
        case .deleted: return HTTPReply(status: 404, body: Data("channel_not_found".utf8))
        case .archived: return HTTPReply(status: 410, body: Data("channel_is_archived".utf8))
        case .prohibited: return HTTPReply(status: 403, body: Data("action_prohibited".utf8))
        case .ok: break
        }
        guard request.method == "POST", request.headers.value(for: "Content-Type")?.hasPrefix("application/json") == true,
              let fields = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            state.withLock { $0.violations.append("webhook body is not JSON") }
            return HTTPReply(status: 400, body: Data("invalid_payload".utf8))
        }
        if fields["thread_ts"] != nil { state.withLock { $0.violations.append("thread_ts sent to an incoming webhook") } }
        guard let text = fields["text"] as? String, !text.isEmpty else { return HTTPReply(status: 400, body: Data("no_text".utf8)) }
        state.withLock { state in
            state.clock += 100
            state.messages.append(Message(channel: "webhook-channel", ts: "", text: text, threadTS: nil, viaWebhook: true))
        }
        return HTTPReply(status: 200, headers: [HTTPHeader("Content-Type", "text/html")], body: Data("ok".utf8))
    }

    private func violation(_ message: String, _ error: String) -> HTTPReply {
        state.withLock { $0.violations.append(message) }
        return Self.fail(error)
    }

    static func fail(_ error: String) -> HTTPReply {
        HTTPReply(status: 200, headers: [HTTPHeader("Content-Type", "application/json")],
                  body: (try? JSONSerialization.data(withJSONObject: ["ok": false, "error": error], options: [.sortedKeys])) ?? Data())
    }

    static func ok(_ fields: [String: Any]) -> HTTPReply {
        var object = fields
        object["ok"] = true
        return HTTPReply(status: 200, headers: [HTTPHeader("Content-Type", "application/json")],
                         body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
