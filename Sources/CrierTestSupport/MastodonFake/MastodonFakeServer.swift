import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of a Mastodon instance's client API, as strict as the real one where crier
/// depends on it (docs.joinmastodon.org/methods, mastodon/mastodon's controllers):
///
/// - every request needs `Authorization: Bearer <token>` (401 `The access token is invalid`);
/// - `POST /api/v2/media` takes multipart `file` (+ `description`, at most `maxDescription`
///   characters, and at most `maxImageBytes`); with `processingPolls` > 0 it answers 202 and
///   `GET /api/v1/media/:id` answers 206 that many times before 200;
/// - `POST /api/v1/statuses` (JSON) honours `Idempotency-Key` (a repeated key returns the first
///   status, nothing new is posted), checks `in_reply_to_id` (404 when unknown), `media_ids`
///   (unknown, someone else's or already attached: 422; still processing: 422 not ready; more
///   than `maxMedia`: 422), the text against `maxCharacters` (422);
/// - every answer carries `X-RateLimit-Limit`/`-Remaining`/`-Reset` (an ISO time); `throttleNextCreate`
///   makes the next create answer 429 with `Remaining: 0` until the reset, as Mastodon's rate limiter does.
///
/// What breaks a rule is answered as Mastodon would and recorded in `violations`.
public final class MastodonFakeServer: Sendable {
    public struct Status: Sendable, Equatable {
        public var id: String
        public var text: String
        public var mediaIDs: [String]
        public var inReplyToID: String?
        public var spoilerText: String?
        public var language: String?
        public var visibility: String?
        public var idempotencyKey: String?
        public var createdAt: Date
    }

    public struct Media: Sendable, Equatable {
        public var id: String
        public var fileName: String
        public var description: String?
        public var byteCount: Int
        public var pollsLeft: Int
        public var attachedTo: String?
    }

    public struct Limits: Sendable, Equatable {
        public var maxCharacters = 500
        public var maxMedia = 4
        public var maxImageBytes = 16_777_216
        public var maxDescription = 1_500
        public var charactersReservedPerURL = 23
        public init() {}
    }

    public enum Fault: Sendable, Equatable {
        case dropBeforeActing
        case dropAfterActing
        case status(Int)
        /// Answer 503 only after `seconds`, without acting: a request in flight for that long.
        case stall(Double)
    }

    private struct State {
        var statuses: [Status] = []
        var media: [String: Media] = [:]
        var uploads: [String] = []
        var byKey: [String: String] = [:]
        var violations: [String] = []
        var requests: [String] = []
        var nextID = 110_000_000_000_000_000
        var throttleUntil: Date?
        var pendingThrottle: TimeInterval?
        var throttled: [Date] = []
    }

    public let token: String
    public let limits: Limits
    public let processingPolls: Int
    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> Fault?
    private let server: LoopbackHTTPServer

    public init(token: String = "mastodon-test-token", limits: Limits = Limits(), processingPolls: Int = 0,
                fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Fault? = { _, _ in nil }) throws {
        self.token = token
        self.limits = limits
        self.processingPolls = processingPolls
        self.fault = fault
        let box = Mutex<MastodonFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    public var url: String { server.baseURL }
    public func stop() { server.stop() }

    /// Visible statuses, in the order they were created.
    public var statuses: [Status] { state.withLock { $0.statuses } }
    /// Every media upload the server acted on (file names), repeats included.
    public var uploads: [String] { state.withLock { $0.uploads } }
    public var media: [Media] { state.withLock { Array($0.media.values).sorted { $0.id < $1.id } } }
    public var violations: [String] { state.withLock { $0.violations } }
    /// `METHOD /path` of every request, in arrival order.
    public var requests: [String] { state.withLock { $0.requests } }
    /// When 429s were answered.
    public var throttledAt: [Date] { state.withLock { $0.throttled } }

    /// The next `POST /api/v1/statuses` is answered 429 (`X-RateLimit-Remaining: 0`, the reset
    /// `seconds` later), and so is every create until then.
    public func throttleNextCreate(resetIn seconds: TimeInterval) {
        state.withLock { $0.pendingThrottle = seconds }
    }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(path)")
            return state.requests.count - 1
        }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .status(let status): return reply(status, ["error": "injected"])
        case .stall(let seconds): return reply(503, ["error": "stalled"]).delayed(by: seconds)
        default: break
        }
        let answer = act(on: request, path: path)
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : answer
    }

    private func act(on request: ReceivedHTTPRequest, path: String) -> HTTPReply {
        if request.method == "GET", path == "/api/v2/instance" { return instance() }
        guard request.headers.value(for: "Authorization") == "Bearer \(token)" else {
            return refuse(401, "The access token is invalid", violation: "\(request.method) \(path) without the right bearer token")
        }
        switch (request.method, path) {
        case ("POST", "/api/v2/media"):
            return upload(request)
        case ("GET", _) where path.hasPrefix("/api/v1/media/"):
            return mediaStatus(id: String(path.dropFirst("/api/v1/media/".count)))
        case ("POST", "/api/v1/statuses"):
            return createStatus(request)
        case ("GET", "/api/v1/accounts/verify_credentials"):
            return reply(200, ["id": "1", "username": "crier", "acct": "crier", "display_name": "crier"])
        default:
            return refuse(404, "Record not found", violation: "no such endpoint: \(request.method) \(path)")
        }
    }

    private func upload(_ request: ReceivedHTTPRequest) -> HTTPReply {
        guard let parts = MultipartFormParser.parse(request.body, contentType: request.headers.value(for: "Content-Type")),
              let file = parts.first(where: { $0.name == "file" }), let fileName = file.fileName, file.contentType != nil else {
            return refuse(422, "Validation failed: File content type is invalid, File is invalid",
                          violation: "POST /api/v2/media without a multipart `file` part with a file name and type")
        }
        let description = parts.first(where: { $0.name == "description" }).map { String(decoding: $0.data, as: UTF8.self) }
        if let description, description.count > limits.maxDescription {
            return refuse(422, "Validation failed: Description is too long (maximum is \(limits.maxDescription) characters)",
                          violation: "description over \(limits.maxDescription) characters")
        }
        if file.data.count > limits.maxImageBytes {
            return refuse(422, "Validation failed: File file size must be less than \(limits.maxImageBytes) Bytes",
                          violation: "\(fileName) over \(limits.maxImageBytes) bytes")
        }
        let polls = processingPolls
        let media = state.withLock { state -> Media in
            state.nextID += 1
            let media = Media(id: String(state.nextID), fileName: fileName, description: description, byteCount: file.data.count,
                              pollsLeft: polls, attachedTo: nil)
            state.media[media.id] = media
            state.uploads.append(fileName)
            return media
        }
        return reply(polls > 0 ? 202 : 200, mediaJSON(media, ready: polls == 0))
    }

    private func mediaStatus(id: String) -> HTTPReply {
        let found = state.withLock { state -> Media? in
            guard var media = state.media[id] else { return nil }
            if media.pollsLeft > 0 {
                media.pollsLeft -= 1
                state.media[id] = media
                return Media(id: media.id, fileName: media.fileName, description: media.description, byteCount: media.byteCount,
                             pollsLeft: media.pollsLeft + 1, attachedTo: media.attachedTo)
            }
            return media
        }
        guard let found else { return refuse(404, "Record not found", violation: "GET of unknown media \(id)") }
        return reply(found.pollsLeft > 0 ? 206 : 200, mediaJSON(found, ready: found.pollsLeft == 0))
    }

    private func createStatus(_ request: ReceivedHTTPRequest) -> HTTPReply {
        guard request.headers.value(for: "Content-Type")?.hasPrefix("application/json") == true,
              let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            return refuse(422, "Validation failed: Text can't be blank", violation: "POST /api/v1/statuses without a JSON body")
        }
        let key = request.headers.value(for: "Idempotency-Key")
        if key == nil { state.withLock { $0.violations.append("POST /api/v1/statuses without Idempotency-Key") } }
        let now = Date()
        return state.withLock { state -> HTTPReply in
            if let seconds = state.pendingThrottle {
                state.pendingThrottle = nil
                state.throttleUntil = now.addingTimeInterval(seconds)
            }
            if let until = state.throttleUntil {
                if now < until {
                    state.throttled.append(now)
                    return reply(429, ["error": "Too many requests"], remaining: 0, reset: until)
                }
                state.throttleUntil = nil
            }
            if let key, let first = state.byKey[key], let status = state.statuses.first(where: { $0.id == first }) {
                return reply(200, statusJSON(status))
            }
            let text = json["status"] as? String ?? ""
            let mediaIDs = (json["media_ids"] as? [Any])?.map { "\($0)" } ?? []
            if text.isEmpty && mediaIDs.isEmpty { return refused(&state, 422, "Validation failed: Text can't be blank") }
            // StatusLengthValidator counts the content warning and the text together.
            if ((json["spoiler_text"] as? String ?? "") + text).count > limits.maxCharacters {
                return refused(&state, 422, "Validation failed: Text character limit of \(limits.maxCharacters) exceeded")
            }
            if mediaIDs.count > limits.maxMedia {
                return refused(&state, 422, "Validation failed: Cannot attach more than \(limits.maxMedia) files")
            }
            for id in mediaIDs {
                guard let media = state.media[id], media.attachedTo == nil else {
                    return refused(&state, 422, "Validation failed: The media with id \(id) was not found or is already attached")
                }
                if media.pollsLeft > 0 {
                    return refused(&state, 422, "Cannot attach files that have not finished processing. Try again in a moment!")
                }
            }
            let replyTo = (json["in_reply_to_id"]).map { "\($0)" }
            if let replyTo, !state.statuses.contains(where: { $0.id == replyTo }) {
                return refused(&state, 404, "Record not found")
            }
            state.nextID += 1
            let status = Status(id: String(state.nextID), text: text, mediaIDs: mediaIDs, inReplyToID: replyTo,
                                spoilerText: json["spoiler_text"] as? String, language: json["language"] as? String,
                                visibility: json["visibility"] as? String, idempotencyKey: key, createdAt: now)
            for id in mediaIDs { state.media[id]?.attachedTo = status.id }
            state.statuses.append(status)
            if let key { state.byKey[key] = status.id }
            return reply(200, statusJSON(status))
        }
    }

    private func instance() -> HTTPReply {
        reply(200, ["domain": "127.0.0.1", "title": "crier test instance",
                    "configuration": ["statuses": ["max_characters": limits.maxCharacters, "max_media_attachments": limits.maxMedia,
                                                   "characters_reserved_per_url": limits.charactersReservedPerURL],
                                      "media_attachments": ["image_size_limit": limits.maxImageBytes, "description_limit": limits.maxDescription,
                                                            "supported_mime_types": ["image/png", "image/jpeg", "image/gif", "video/mp4"]]]])
    }

    private func mediaJSON(_ media: Media, ready: Bool) -> [String: Any] {
        ["id": media.id, "type": "image", "url": ready ? "\(url)/media/\(media.id)" : NSNull(), "description": media.description ?? NSNull()]
    }

    private func statusJSON(_ status: Status) -> [String: Any] {
        ["id": status.id, "url": "\(url)/@crier/\(status.id)", "uri": "\(url)/users/crier/statuses/\(status.id)",
         "content": status.text, "in_reply_to_id": status.inReplyToID ?? NSNull(),
         "media_attachments": status.mediaIDs.map { ["id": $0] }]
    }

    private func refuse(_ status: Int, _ message: String, violation: String) -> HTTPReply {
        state.withLock { $0.violations.append(violation) }
        return reply(status, ["error": message])
    }

    private func refused(_ state: inout State, _ status: Int, _ message: String) -> HTTPReply {
        state.violations.append(message)
        return reply(status, ["error": message])
    }

    private func reply(_ status: Int, _ object: [String: Any], remaining: Int = 299, reset: Date? = nil) -> HTTPReply {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let resetAt = reset ?? Date().addingTimeInterval(300)
        return HTTPReply(status: status,
                         headers: [HTTPHeader("Content-Type", "application/json; charset=utf-8"), HTTPHeader("X-RateLimit-Limit", "300"),
                                   HTTPHeader("X-RateLimit-Remaining", String(remaining)),
                                   HTTPHeader("X-RateLimit-Reset", formatter.string(from: resetAt))],
                         body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
