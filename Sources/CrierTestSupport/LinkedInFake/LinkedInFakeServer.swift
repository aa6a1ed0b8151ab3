import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of LinkedIn's versioned REST API, as strict as LinkedIn where crier relies on it:
///
/// - Every `/rest/…` call needs the current bearer token (`expireToken()` makes it answer 401),
///   `LinkedIn-Version` as `YYYYMM` — one in `sunset` is answered 426 — and
///   `X-Restli-Protocol-Version: 2.0.0`.
/// - `POST /rest/posts`: the Posts API body (`author` as configured, `commentary`, `visibility`,
///   `distribution.feedDistribution`, `lifecycleState: PUBLISHED`); images in `content.media.id` or
///   `content.multiImage.images[].id` must have been uploaded. The commentary is read as LinkedIn
///   reads little text: the visible text ends at the first reserved character that is not
///   backslash-escaped (LinkedIn's silent truncation), so `posts[].visibleText` is what readers see.
///   201 with the post's URN in `x-restli-id`; the same commentary again is the 422
///   `DUPLICATE_POST` answer naming the existing post.
/// - `POST /rest/images?action=initializeUpload` → an upload URL on this server and an image URN;
///   `PUT /upload/N` takes the bytes.
/// - `GET /v2/userinfo` (OpenID) for the online check.
public final class LinkedInFakeServer: Sendable {
    public struct Post: Sendable, Equatable {
        public var urn: String
        public var commentary: String
        /// The text LinkedIn shows: unescaped, and cut at the first unescaped reserved character.
        public var visibleText: String
        public var images: [String]
        public var altTexts: [String]
        public var version: String
    }

    public static let author = "urn:li:person:8675309"
    public static let reserved: Set<Character> = ["\\", "|", "{", "}", "@", "[", "]", "(", ")", "<", ">", "#", "*", "_", "~"]

    private struct State {
        var token = "li-token-1"
        var expired = false
        var posts: [Post] = []
        var images: [String: Int] = [:]  // urn → bytes uploaded (0: initialized only)
        var violations: [String] = []
        var requests: [String] = []
    }

    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> FakeFault?
    private let server: LoopbackHTTPServer
    /// Versions answered 426 (sunset).
    public let sunset: Set<String>

    public init(sunset: Set<String> = ["202401"], fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> FakeFault? = { _, _ in nil }) throws {
        self.fault = fault
        self.sunset = sunset
        let box = Mutex<LinkedInFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    public var url: String { server.baseURL }
    public func stop() { server.stop() }

    public var token: String { state.withLock { $0.token } }
    public var posts: [Post] { state.withLock { $0.posts } }
    public var violations: [String] { state.withLock { $0.violations } }
    public var requests: [String] { state.withLock { $0.requests } }
    public var uploadedImages: [String: Int] { state.withLock { $0.images } }

    /// The token answers 401 from now on (expired or revoked); `renewToken()` hands out a new one.
    public func expireToken() {
        state.withLock { $0.expired = true }
    }

    public func renewToken() -> String {
        state.withLock { state in
            state.token = "li-token-\(Int(state.token.split(separator: "-").last ?? "1").map { $0 + 1 } ?? 2)"
            state.expired = false
            return state.token
        }
    }

    /// A post already on the account (made elsewhere, or by an earlier try whose answer was lost).
    public func seedPost(commentary: String) -> String {
        state.withLock { state in
            let urn = "urn:li:share:\(7_100_000_000_000_000_000 + state.posts.count + 1)"
            state.posts.append(Post(urn: urn, commentary: commentary, visibleText: Self.visibleText(commentary), images: [], altTexts: [],
                                    version: "-"))
            return urn
        }
    }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(path)")
            return state.requests.count - 1
        }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .status(let status): return HTTPReply(status: status)
        case .stall: return HTTPReply(status: 503).delayed(by: 120)
        default: break
        }
        let reply = act(on: request, path: path)
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : reply
    }

    private func act(on request: ReceivedHTTPRequest, path: String) -> HTTPReply {
        let authorized = state.withLock { request.headers.value(for: "Authorization") == "Bearer \($0.token)" && !$0.expired }
        guard authorized else {
            return Self.json(401, ["message": "Invalid access token", "serviceErrorCode": 65600, "status": 401])
        }
        if request.method == "PUT", path.hasPrefix("/upload/") {
            return state.withLock { state -> HTTPReply in
                let urn = "urn:li:image:" + path.dropFirst("/upload/".count)
                guard state.images[urn] != nil, !request.body.isEmpty else {
                    state.violations.append("PUT to an upload URL nobody initialized, or without bytes")
                    return HTTPReply(status: 400)
                }
                state.images[urn] = request.body.count
                return HTTPReply(status: 201)
            }
        }
        if path == "/v2/userinfo", request.method == "GET" {
            return Self.json(200, ["sub": "8675309", "name": "Crier Bot", "email_verified": true])
        }
        guard path.hasPrefix("/rest/") else { return refuse(404, "no such endpoint \(request.method) \(path)") }
        guard let version = request.headers.value(for: "LinkedIn-Version"), version.count == 6, Int(version) != nil else {
            return refuse(400, "missing or malformed LinkedIn-Version header")
        }
        if sunset.contains(version) {
            return Self.json(426, ["message": "Requested version \(version) is not active", "status": 426, "code": "NONEXISTENT_VERSION"])
        }
        guard request.headers.value(for: "X-Restli-Protocol-Version") == "2.0.0" else {
            return refuse(400, "missing X-Restli-Protocol-Version: 2.0.0")
        }
        let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
        switch (request.method, path) {
        case ("POST", "/rest/images"):
            guard request.path.contains("action=initializeUpload"),
                  (json["initializeUploadRequest"] as? [String: Any])?["owner"] as? String == Self.author else {
                return refuse(400, "initializeUpload needs {initializeUploadRequest: {owner: the author}}")
            }
            let base = url
            return state.withLock { state -> HTTPReply in
                let number = String(5_000 + state.images.count + 1)
                state.images["urn:li:image:\(number)"] = 0
                return Self.json(200, ["value": ["uploadUrlExpiresAt": 1_900_000_000_000, "uploadUrl": "\(base)/upload/\(number)",
                                                 "image": "urn:li:image:\(number)"]])
            }
        case ("POST", "/rest/posts"):
            return createPost(json, version: version)
        default:
            return refuse(404, "no such endpoint \(request.method) \(path)")
        }
    }

    private func createPost(_ json: [String: Any], version: String) -> HTTPReply {
        guard json["author"] as? String == Self.author, let commentary = json["commentary"] as? String,
              json["visibility"] as? String == "PUBLIC", json["lifecycleState"] as? String == "PUBLISHED",
              (json["distribution"] as? [String: Any])?["feedDistribution"] as? String == "MAIN_FEED" else {
            return refuse(422, "the post body lacks author, commentary, visibility, distribution.feedDistribution or lifecycleState")
        }
        let content = json["content"] as? [String: Any]
        var items: [[String: Any]] = []
        if let media = content?["media"] as? [String: Any] { items = [media] }
        if let multi = (content?["multiImage"] as? [String: Any])?["images"] as? [[String: Any]] {
            guard multi.count >= 2 else { return refuse(422, "multiImage needs 2 to 20 images") }
            items = multi
        }
        return state.withLock { state -> HTTPReply in
            for item in items {
                guard let id = item["id"] as? String, let bytes = state.images[id], bytes > 0 else {
                    state.violations.append("post references an image that was not uploaded")
                    return Self.json(422, ["message": "Image is not uploaded", "status": 422])
                }
            }
            if let existing = state.posts.first(where: { $0.commentary == commentary }) {
                return Self.json(422, ["errorDetailType": "com.linkedin.common.error.BadRequest",
                                       "message": "com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of \(existing.urn)",
                                       "errorDetails": ["inputErrors": [["description": "Duplicate post is detected", "input": [:] as [String: Any],
                                                                         "code": "DUPLICATE_POST"]]],
                                       "status": 422])
            }
            let urn = "urn:li:share:\(7_100_000_000_000_000_000 + state.posts.count + 1)"
            state.posts.append(Post(urn: urn, commentary: commentary, visibleText: Self.visibleText(commentary),
                                    images: items.compactMap { $0["id"] as? String }, altTexts: items.compactMap { $0["altText"] as? String },
                                    version: version))
            return HTTPReply(status: 201, headers: [HTTPHeader("x-restli-id", urn), HTTPHeader("x-linkedin-id", urn)])
        }
    }

    /// What LinkedIn shows for a little-text commentary: `\x` is `x`; `{hashtag|\#|tag}` is `#tag`;
    /// the text stops at the first other reserved character that is not escaped.
    public static func visibleText(_ commentary: String) -> String {
        var out = ""
        var index = commentary.startIndex
        while index < commentary.endIndex {
            let c = commentary[index]
            if c == "\\" {
                let next = commentary.index(after: index)
                guard next < commentary.endIndex else { return out }
                out.append(commentary[next])
                index = commentary.index(after: next)
                continue
            }
            if c == "{", commentary[index...].hasPrefix("{hashtag|\\#|"), let close = commentary[index...].firstIndex(of: "}") {
                let tagStart = commentary.index(index, offsetBy: "{hashtag|\\#|".count)
                out += "#" + visibleText(String(commentary[tagStart..<close]))
                index = commentary.index(after: close)
                continue
            }
            if reserved.contains(c) { return out }
            out.append(c)
            index = commentary.index(after: index)
        }
        return out
    }

    private func refuse(_ status: Int, _ message: String) -> HTTPReply {
        state.withLock { $0.violations.append(message) }
        return Self.json(status, ["message": message, "status": status])
    }

    private static func json(_ status: Int, _ object: Any) -> HTTPReply {
        HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "application/json")],
                  body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
