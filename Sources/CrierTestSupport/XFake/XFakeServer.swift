import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of the X API v2, as strict as X where crier relies on it:
///
/// - **Authorization** on every `/2/…` call: a bearer token that is the current one and not
///   expired (`expireAccessToken()` expires it on demand), or an OAuth 1.0a `Authorization: OAuth …`
///   header whose HMAC-SHA1 signature it recomputes from the method, URL and query, with the known
///   consumer key and access token, a timestamp within 5 minutes and a nonce never seen before.
///   Anything else is 401.
/// - **Tokens** (`POST /2/oauth2/token`): the client's Basic credentials; `refresh_token` grants
///   rotate the refresh token and refuse a used one (as X does); `authorization_code` grants check
///   the PKCE verifier against the challenge of the code (`issueCode`).
/// - **Posts** (`POST /2/tweets`): a JSON body with a non-empty `text`; a `reply` must name a post
///   that exists, `media.media_ids` uploaded media; the same text twice is the 403 "duplicate
///   content". 201 `{"data":{"id","text"}}` with `x-rate-limit-*` headers; with `postsLeft` at 0,
///   429 with them.
/// - **Media**: `POST /2/media/upload` (multipart with `media` and `media_category`),
///   `POST /2/media/metadata` (alt text of an uploaded media, ≤ 1,000 characters).
/// - `GET /2/users/me`.
///
/// What breaks a rule is answered 400 (or 401) and recorded in `violations`; `fault` can drop a
/// connection before or after acting on a request (a lost answer).
public final class XFakeServer: Sendable {
    public struct Post: Sendable, Equatable {
        public var id: String
        public var text: String
        public var replyTo: String?
        public var mediaIDs: [String]
    }

    public struct Media: Sendable, Equatable {
        public var id: String
        public var bytes: Int
        public var category: String
        public var alt: String?
    }

    public static let consumerKey = "xvz1evFS4wEEPTGEFPHBog"
    public static let consumerSecret = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
    public static let accessToken = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
    public static let accessTokenSecret = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
    public static let clientID = "crier-client-id"
    public static let clientSecret = "crier-client-secret"
    public static let username = "crierbot"

    private struct State {
        var accessToken: String?
        var accessExpired = false
        var refreshToken: String?
        var usedRefreshTokens: Set<String> = []
        var issued = 0
        var codes: [String: String] = [:]  // code → PKCE challenge
        var posts: [Post] = []
        var media: [String: Media] = [:]
        var nonces: Set<String> = []
        var violations: [String] = []
        var requests: [String] = []
        var refreshes = 0
        var postsLeft = 100
        /// Chunked uploads under way: id → (media type, total bytes, category, bytes per segment,
        /// status polls left before processing succeeds; nil until finalized).
        var chunked: [String: (type: String, total: Int, category: String, segments: [Int: Int], pollsLeft: Int?)] = [:]
        var processingPolls = 2
        /// Posts are refused 429 until then (the 15-minute window, shortened for tests).
        var limitedUntil: Date?
        var refusedForRate = 0
        var postedAt: [Date] = []
    }

    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> FakeFault?
    private let server: LoopbackHTTPServer

    public init(fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> FakeFault? = { _, _ in nil }) throws {
        self.fault = fault
        let box = Mutex<XFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    public var url: String { server.baseURL }
    public func stop() { server.stop() }

    public var posts: [Post] { state.withLock { $0.posts } }
    public var media: [Media] { state.withLock { $0.media.values.sorted { $0.id < $1.id } } }
    public var violations: [String] { state.withLock { $0.violations } }
    /// `METHOD /path` of every request, in arrival order.
    public var requests: [String] { state.withLock { $0.requests } }
    /// Refresh grants answered with new tokens.
    public var refreshes: Int { state.withLock { $0.refreshes } }
    public var currentRefreshToken: String? { state.withLock { $0.refreshToken } }

    /// Hands out a fresh token pair as a sign-in would (the old pair stops working).
    public func issueTokens() -> (access: String, refresh: String) {
        state.withLock { state in Self.issue(&state) }
    }

    /// The current access token answers 401 from now on, as after its 2 hours.
    public func expireAccessToken() {
        state.withLock { $0.accessExpired = true }
    }

    /// How many more posts the rate limit lets through before 429.
    public func setPostsLeft(_ count: Int) {
        state.withLock { $0.postsLeft = count }
    }

    /// Refuses posts with 429 and `x-rate-limit-remaining: 0` until `seconds` from now, with
    /// `x-rate-limit-reset` at that time.
    public func rateLimit(for seconds: TimeInterval) -> Date {
        let until = Date().addingTimeInterval(seconds)
        state.withLock { $0.limitedUntil = until }
        return until
    }

    /// Posts refused by `rateLimit(for:)`, and when the accepted ones arrived.
    public var refusedForRate: Int { state.withLock { $0.refusedForRate } }
    public var postedAt: [Date] { state.withLock { $0.postedAt } }

    /// How many STATUS polls a finalized chunked upload answers `in_progress` before `succeeded`.
    public func setProcessingPolls(_ count: Int) {
        state.withLock { $0.processingPolls = count }
    }

    /// An authorization code as X's consent screen would redirect with, bound to a PKCE challenge.
    public func issueCode(challenge: String) -> String {
        state.withLock { state in
            let code = "code-\(state.codes.count + 1)"
            state.codes[code] = challenge
            return code
        }
    }

    private static func issue(_ state: inout State) -> (access: String, refresh: String) {
        state.issued += 1
        let pair = ("access-\(state.issued)", "refresh-\(state.issued)")
        if let old = state.refreshToken { state.usedRefreshTokens.insert(old) }
        state.accessToken = pair.0
        state.refreshToken = pair.1
        state.accessExpired = false
        return pair
    }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(Self.path(request))")
            return state.requests.count - 1
        }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .status(let status): return HTTPReply(status: status)
        case .stall: return HTTPReply(status: 503).delayed(by: 120)
        default: break
        }
        var reply = act(on: request)
        reply.headers.append(HTTPHeader("Date", Self.httpDate(Date())))
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : reply
    }

    private func act(on request: ReceivedHTTPRequest) -> HTTPReply {
        let path = Self.path(request)
        if request.method == "POST", path == "/2/oauth2/token" { return token(request) }
        if let refusal = authorize(request) { return refusal }
        switch (request.method, path) {
        case ("POST", "/2/tweets"): return createPost(request)
        case ("POST", "/2/media/upload"): return upload(request)
        case ("POST", "/2/media/metadata"): return metadata(request)
        case ("POST", "/2/media/upload/initialize"): return initialize(request)
        case ("GET", "/2/media/upload"): return status(request)
        case ("POST", let chunked) where chunked.hasPrefix("/2/media/upload/") && chunked.hasSuffix("/append"):
            return append(request, id: String(chunked.dropFirst("/2/media/upload/".count).dropLast("/append".count)))
        case ("POST", let chunked) where chunked.hasPrefix("/2/media/upload/") && chunked.hasSuffix("/finalize"):
            return finalize(id: String(chunked.dropFirst("/2/media/upload/".count).dropLast("/finalize".count)))
        case ("GET", "/2/users/me"):
            return Self.json(200, ["data": ["id": "2244994945", "name": "Crier Bot", "username": Self.username]])
        default:
            return refuse(404, "no such endpoint: \(request.method) \(path)")
        }
    }

    // MARK: Authorization

    private func authorize(_ request: ReceivedHTTPRequest) -> HTTPReply? {
        let header = request.headers.value(for: "Authorization") ?? ""
        if header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst("Bearer ".count))
            let ok = state.withLock { $0.accessToken == token && !$0.accessExpired }
            return ok ? nil : Self.unauthorized()
        }
        if header.hasPrefix("OAuth ") { return verifyOAuth1(header, request) }
        state.withLock { $0.violations.append("\(request.method) \(Self.path(request)) without Authorization") }
        return Self.unauthorized()
    }

    private func verifyOAuth1(_ header: String, _ request: ReceivedHTTPRequest) -> HTTPReply? {
        var fields: [String: String] = [:]
        for item in header.dropFirst("OAuth ".count).split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            fields[OAuth1Signature.percentDecode(parts[0])] = OAuth1Signature.percentDecode(parts[1].dropFirst().dropLast())
        }
        let signer = OAuth1Signature(consumerKey: Self.consumerKey, consumerSecret: Self.consumerSecret, token: Self.accessToken,
                                     tokenSecret: Self.accessTokenSecret)
        guard fields["oauth_consumer_key"] == Self.consumerKey, fields["oauth_token"] == Self.accessToken,
              fields["oauth_signature_method"] == "HMAC-SHA1", fields["oauth_version"] == "1.0",
              let nonce = fields["oauth_nonce"], let timestamp = fields["oauth_timestamp"].flatMap(Int.init),
              let signature = fields["oauth_signature"] else {
            return refuseAuth("OAuth header incomplete or for other credentials: \(fields.keys.sorted())")
        }
        guard abs(Double(timestamp) - Date().timeIntervalSince1970) < 300 else { return refuseAuth("OAuth timestamp out of range") }
        var signed = fields.filter { $0.key != "oauth_signature" }.map { ($0.key, $0.value) }
        if request.headers.value(for: "Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true {
            signed += OAuth1Signature.formPairs(String(decoding: request.body, as: UTF8.self))
        }
        let expected = signer.signature(method: request.method, url: url + request.path, parameters: signed)
        guard expected == signature else { return refuseAuth("OAuth signature does not match") }
        let fresh = state.withLock { $0.nonces.insert(nonce).inserted }
        return fresh ? nil : refuseAuth("OAuth nonce used twice")
    }

    private func refuseAuth(_ why: String) -> HTTPReply {
        state.withLock { $0.violations.append(why) }
        return Self.unauthorized()
    }

    // MARK: Tokens

    private func token(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let expectedBasic = OAuth2TokenAnswer.basicAuthorization(clientID: Self.clientID, clientSecret: Self.clientSecret)
        guard request.headers.value(for: "Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true else {
            return refuse(400, "token request must be form-encoded")
        }
        guard request.headers.value(for: "Authorization") == expectedBasic else {
            return refuse(401, "token request without the client's Basic credentials")
        }
        var form: [String: String] = [:]
        for (key, value) in OAuth1Signature.formPairs(String(decoding: request.body, as: UTF8.self)) { form[key] = value }
        guard form["client_id"] == Self.clientID else { return refuse(400, "token request for another client_id") }
        return state.withLock { state -> HTTPReply in
            switch form["grant_type"] {
            case "refresh_token":
                guard let presented = form["refresh_token"], presented == state.refreshToken,
                      !state.usedRefreshTokens.contains(presented) else {
                    state.violations.append("refresh with a used or unknown refresh token")
                    return Self.json(400, ["error": "invalid_request", "error_description": "Value passed for the token was invalid."])
                }
                state.refreshes += 1
                return Self.tokens(Self.issue(&state))
            case "authorization_code":
                guard let code = form["code"], let challenge = state.codes.removeValue(forKey: code),
                      let verifier = form["code_verifier"], PKCE(verifier: verifier).challenge == challenge,
                      form["redirect_uri"] != nil else {
                    state.violations.append("authorization_code grant with a bad code or verifier")
                    return Self.json(400, ["error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."])
                }
                return Self.tokens(Self.issue(&state))
            default:
                state.violations.append("unknown grant_type \(form["grant_type"] ?? "-")")
                return Self.json(400, ["error": "unsupported_grant_type"])
            }
        }
    }

    private static func tokens(_ pair: (access: String, refresh: String)) -> HTTPReply {
        json(200, ["token_type": "bearer", "expires_in": 7200, "access_token": pair.access, "refresh_token": pair.refresh,
                   "scope": XAdapter.scopes])
    }

    // MARK: Posts and media

    private func createPost(_ request: ReceivedHTTPRequest) -> HTTPReply {
        guard request.headers.value(for: "Content-Type") == "application/json",
              let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            return refuse(400, "POST /2/tweets needs a JSON body")
        }
        guard let text = json["text"] as? String, !text.isEmpty else { return refuse(400, "POST /2/tweets needs a non-empty text") }
        let replyTo = (json["reply"] as? [String: Any]).map { $0["in_reply_to_tweet_id"] as? String }
        let mediaIDs = (json["media"] as? [String: Any]).map { ($0["media_ids"] as? [String]) ?? [] } ?? []
        return state.withLock { state -> HTTPReply in
            let reset = Int(Date().timeIntervalSince1970) + 900
            if let until = state.limitedUntil, Date() < until {
                state.refusedForRate += 1
                return Self.json(429, ["title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429],
                                 headers: Self.rateHeaders(remaining: 0, reset: Int(until.timeIntervalSince1970.rounded(.up))))
            }
            guard state.postsLeft > 0 else {
                return Self.json(429, ["title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429],
                                 headers: Self.rateHeaders(remaining: 0, reset: reset))
            }
            if let replyTo {
                guard let target = replyTo, state.posts.contains(where: { $0.id == target }) else {
                    state.violations.append("reply to a post that does not exist: \(String(describing: replyTo))")
                    return Self.json(400, ["errors": [["message": "The tweet being replied to does not exist"]], "title": "Invalid Request"])
                }
            }
            for id in mediaIDs where state.media[id] == nil {
                state.violations.append("media id \(id) was never uploaded")
                return Self.json(400, ["errors": [["message": "Your media IDs are invalid."]], "title": "Invalid Request"])
            }
            if state.posts.contains(where: { $0.text == text }) {
                return Self.json(403, ["detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
                                       "title": "Forbidden", "status": 403])
            }
            state.postsLeft -= 1
            state.postedAt.append(Date())
            let id = String(1_800_000_000_000_000_000 + state.posts.count + 1)
            state.posts.append(Post(id: id, text: text, replyTo: replyTo ?? nil, mediaIDs: mediaIDs))
            return Self.json(201, ["data": ["edit_history_tweet_ids": [id], "id": id, "text": text]],
                             headers: Self.rateHeaders(remaining: state.postsLeft, reset: reset))
        }
    }

    private func upload(_ request: ReceivedHTTPRequest) -> HTTPReply {
        guard let contentType = request.headers.value(for: "Content-Type"), contentType.hasPrefix("multipart/form-data"),
              let boundary = contentType.components(separatedBy: "boundary=").last, !boundary.isEmpty else {
            return refuse(400, "POST /2/media/upload needs multipart/form-data with a boundary")
        }
        let parts = Self.multipartParts(request.body, boundary: boundary)
        guard let media = parts["media"], !media.isEmpty else { return refuse(400, "upload without a media part") }
        guard let category = parts["media_category"].map({ String(decoding: $0, as: UTF8.self) }),
              ["tweet_image", "tweet_gif", "tweet_video"].contains(category) else {
            return refuse(400, "upload without a valid media_category")
        }
        return state.withLock { state -> HTTPReply in
            let id = String(1_900_000_000_000_000_000 + state.media.count + 1)
            state.media[id] = Media(id: id, bytes: media.count, category: category)
            return Self.json(200, ["data": ["id": id, "media_key": "3_\(id)", "size": media.count, "expires_after_secs": 86_400]])
        }
    }

    private func metadata(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
        guard let id = json?["id"] as? String,
              let alt = ((json?["metadata"] as? [String: Any])?["alt_text"] as? [String: Any])?["text"] as? String,
              alt.count <= 1000 else {
            return refuse(400, "POST /2/media/metadata needs {id, metadata.alt_text.text ≤ 1000}")
        }
        return state.withLock { state -> HTTPReply in
            guard state.media[id] != nil else {
                state.violations.append("alt text for unknown media \(id)")
                return Self.json(400, ["errors": [["message": "media not found"]]])
            }
            state.media[id]?.alt = alt
            return Self.json(200, ["data": ["associated_metadata": true, "id": id]])
        }
    }

    // MARK: Chunked upload

    private func initialize(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
        guard request.headers.value(for: "Content-Type") == "application/json", let type = json?["media_type"] as? String,
              let total = (json?["total_bytes"] as? NSNumber)?.intValue, total > 0,
              let category = json?["media_category"] as? String, ["tweet_video", "tweet_gif", "tweet_image"].contains(category) else {
            return refuse(400, "initialize needs JSON {media_type, total_bytes > 0, media_category}")
        }
        return state.withLock { state -> HTTPReply in
            let id = String(1_950_000_000_000_000_000 + state.chunked.count + 1)
            state.chunked[id] = (type, total, category, [:], nil)
            return Self.json(200, ["data": ["id": id, "media_key": "7_\(id)", "expires_after_secs": 86_400]])
        }
    }

    private func append(_ request: ReceivedHTTPRequest, id: String) -> HTTPReply {
        guard let contentType = request.headers.value(for: "Content-Type"), contentType.hasPrefix("multipart/form-data"),
              let boundary = contentType.components(separatedBy: "boundary=").last else {
            return refuse(400, "append needs multipart/form-data")
        }
        let parts = Self.multipartParts(request.body, boundary: boundary)
        guard let chunk = parts["media"], !chunk.isEmpty,
              let segment = parts["segment_index"].flatMap({ Int(String(decoding: $0, as: UTF8.self)) }), (0...999).contains(segment) else {
            return refuse(400, "append needs a media part and a segment_index 0-999")
        }
        return state.withLock { state -> HTTPReply in
            guard state.chunked[id] != nil, state.chunked[id]?.pollsLeft == nil else {
                state.violations.append("append to an unknown or finalized upload \(id)")
                return Self.json(400, ["errors": [["message": "media not found"]]])
            }
            state.chunked[id]?.segments[segment] = chunk.count
            return Self.json(200, ["data": ["expires_at": 1_900_000_000]])
        }
    }

    private func finalize(id: String) -> HTTPReply {
        state.withLock { state -> HTTPReply in
            guard let upload = state.chunked[id] else {
                state.violations.append("finalize of an unknown upload \(id)")
                return Self.json(400, ["errors": [["message": "media not found"]]])
            }
            let received = upload.segments.values.reduce(0, +)
            guard received == upload.total, upload.segments.keys.sorted() == Array(0..<upload.segments.count) else {
                state.violations.append("finalize with \(received) of \(upload.total) bytes, segments \(upload.segments.keys.sorted())")
                return Self.json(400, ["errors": [["message": "File size mismatch"]]])
            }
            state.chunked[id]?.pollsLeft = state.processingPolls
            return Self.json(200, ["data": ["id": id, "media_key": "7_\(id)", "size": upload.total, "expires_after_secs": 86_400,
                                            "processing_info": ["state": "pending", "check_after_secs": 1]]])
        }
    }

    private func status(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let query = OAuth1Signature.formPairs(String(request.path.split(separator: "?", maxSplits: 1).last ?? ""))
        guard query.contains(where: { $0 == ("command", "STATUS") }), let id = query.first(where: { $0.0 == "media_id" })?.1 else {
            return refuse(400, "GET /2/media/upload needs command=STATUS&media_id=")
        }
        return state.withLock { state -> HTTPReply in
            guard let upload = state.chunked[id], let left = upload.pollsLeft else {
                state.violations.append("STATUS of an upload that was not finalized: \(id)")
                return Self.json(400, ["errors": [["message": "media not found"]]])
            }
            if left > 0 {
                state.chunked[id]?.pollsLeft = left - 1
                return Self.json(200, ["data": ["id": id, "processing_info": ["state": "in_progress", "check_after_secs": 1, "progress_percent": 50]]])
            }
            state.media[id] = Media(id: id, bytes: upload.total, category: upload.category)
            return Self.json(200, ["data": ["id": id, "processing_info": ["state": "succeeded", "progress_percent": 100]]])
        }
    }

    // MARK: Helpers

    private func refuse(_ status: Int, _ message: String) -> HTTPReply {
        state.withLock { $0.violations.append(message) }
        return Self.json(status, ["title": "Invalid Request", "detail": message])
    }

    private static func unauthorized() -> HTTPReply {
        json(401, ["title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"])
    }

    private static func rateHeaders(remaining: Int, reset: Int) -> [HTTPHeader] {
        [HTTPHeader("x-rate-limit-limit", "100"), HTTPHeader("x-rate-limit-remaining", String(remaining)),
         HTTPHeader("x-rate-limit-reset", String(reset))]
    }

    static func path(_ request: ReceivedHTTPRequest) -> String {
        request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
    }

    static func json(_ status: Int, _ object: Any, headers: [HTTPHeader] = []) -> HTTPReply {
        HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "application/json")] + headers,
                  body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    /// Named parts of a multipart/form-data body.
    static func multipartParts(_ body: Data, boundary: String) -> [String: Data] {
        var parts: [String: Data] = [:]
        let delimiter = Data("--\(boundary)".utf8)
        var chunks: [Data] = []
        var rest = body[...]
        while let range = rest.range(of: delimiter) {
            chunks.append(Data(rest[rest.startIndex..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        for chunk in chunks.dropFirst() {
            guard let headerEnd = chunk.range(of: Data("\r\n\r\n".utf8)) else { continue }
            let head = String(decoding: chunk[chunk.startIndex..<headerEnd.lowerBound], as: UTF8.self)
            guard let nameRange = head.range(of: "name=\"") else { continue }
            let name = String(head[nameRange.upperBound...].prefix { $0 != "\"" })
            var content = Data(chunk[headerEnd.upperBound...])
            if content.suffix(2) == Data("\r\n".utf8) { content.removeLast(2) }
            parts[name] = content
        }
        return parts
    }
}
