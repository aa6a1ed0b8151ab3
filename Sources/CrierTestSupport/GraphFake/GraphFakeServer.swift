import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of Meta's Graph APIs — Threads, Instagram content publishing or Facebook Pages —
/// checked as strictly as the real ones, answering in their documented shapes:
///
/// - every call needs `Authorization: Bearer <the current token>`; a missing, expired
///   (`expireToken()`, code 190 subcode 463) or revoked (`revokeToken()`, 190/458) token is refused;
/// - POST bodies must be form-encoded; required fields are checked (`media_type`, `text` for TEXT,
///   `image_url`/`video_url` that the media host really serves, `children` that are carousel items,
///   `reply_to_id` naming a published post, caption and text limits);
/// - a container stays `IN_PROGRESS` for `inProgressPolls` status reads, then `FINISHED`;
///   publishing one that is not finished, unknown or already published is a violation;
///   `mediaNotFoundRaces` first publishes answer code 24/4279009 ("media not found");
///   `expiringContainers` and `containerError` (or `expireContainers()`, `failContainers(message:)`)
///   make containers `EXPIRED` or `ERROR`;
/// - posts count against `quotaTotal` (code 9/2207042 when it is used up; the quota endpoint says so);
/// - `refresh_access_token` refreshes a token at least 24 hours old (`tokenAge`), `access_token`
///   exchanges a short-lived one (`shortLivedTokens`) with the app secret;
/// - Facebook photos must be uploaded `published=false` and attached once to a `/feed` post.
///
/// What breaks a rule is refused and recorded in `violations`. `fault` can drop a connection before
/// or after the fake acted on a request (a lost answer). Every answer carries a `Date` header.
public final class GraphFakeServer: Sendable {
    public struct Post: Sendable, Equatable {
        public var id: String
        public var text: String?
        public var replyTo: String?
        public var container: String?
        /// Media URLs (Threads, Instagram) or photo ids (Facebook), in order.
        public var media: [String]
        public var altTexts: [String]
        public var link: String?
    }

    struct Container {
        var id: String
        var mediaType: String
        var text: String?
        var replyTo: String?
        var mediaURL: String?
        var children: [String]
        var altText: String?
        var isItem: Bool
        var pollsLeft: Int
        var status: String
        var errorMessage: String?
    }

    struct Photo {
        var url: String
        var alt: String?
        var attached: Bool
    }

    private struct State {
        var token: String
        var tokenIssuedAt: Date
        var tokenState = "valid"
        var shortLivedTokens: Set<String> = []
        var tokensIssued = 0
        var refreshes = 0
        var exchanges = 0
        var containers: [String: Container] = [:]
        var photos: [String: Photo] = [:]
        var posts: [Post] = []
        var quotaUsedBefore = 0
        var nextID = 1
        var racesLeft: Int
        var expiredSoFar = 0
        var violations: [String] = []
        var requests: [String] = []
    }

    public let api: GraphFakeAPI
    public let userID: String
    public let username = "crierbot"
    public let appSecret = "app-secret-1"
    public let quotaTotal: Int
    public let inProgressPolls: Int
    /// What the first `expiringContainers` containers become after their polls: `EXPIRED`.
    private let expiringContainers: Int
    /// What every container becomes after its polls instead of `FINISHED`: `ERROR` with this message.
    private let containerError: String?
    private let state: Mutex<State>
    private let mediaHost: MediaHostServer?
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> GraphFakeFault?
    private let server: LoopbackHTTPServer

    /// - Parameters:
    ///   - token: the valid access token (a long-lived user token, or a Page token for Facebook).
    ///   - tokenAge: how old the token is (refreshable from 24 hours).
    public init(api: GraphFakeAPI, userID: String = "17841400000000001", token: String = "EAAlonglived1", tokenAge: TimeInterval = 0,
                inProgressPolls: Int = 2, mediaNotFoundRaces: Int = 0, quotaTotal: Int = 250, expiringContainers: Int = 0,
                containerError: String? = nil, mediaHost: MediaHostServer? = nil,
                fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> GraphFakeFault? = { _, _ in nil }) throws {
        self.api = api
        self.userID = userID
        self.quotaTotal = quotaTotal
        self.inProgressPolls = inProgressPolls
        self.expiringContainers = expiringContainers
        self.containerError = containerError
        self.mediaHost = mediaHost
        self.fault = fault
        state = Mutex(State(token: token, tokenIssuedAt: Date().addingTimeInterval(-tokenAge), racesLeft: mediaNotFoundRaces))
        let box = Mutex<GraphFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    /// The channel's `url`: the versioned API root.
    public var url: String { server.baseURL + "/v1.0" }
    public func stop() { server.stop() }

    public var posts: [Post] { state.withLock { $0.posts } }
    public var violations: [String] { state.withLock { $0.violations } }
    /// `METHOD /path` of every request (no query), in arrival order.
    public var requests: [String] { state.withLock { $0.requests } }
    public var currentToken: String { state.withLock { $0.token } }
    public var refreshes: Int { state.withLock { $0.refreshes } }
    public var exchanges: Int { state.withLock { $0.exchanges } }
    public var containerCount: Int { state.withLock { $0.containers.count } }

    public func expireToken() { state.withLock { $0.tokenState = "expired" } }
    public func revokeToken() { state.withLock { $0.tokenState = "revoked" } }
    /// Posts published in the last 24 hours by other means (another app, the phone).
    public func setQuotaUsed(_ count: Int) { state.withLock { $0.quotaUsedBefore = count } }
    /// A short-lived token `crier auth --token` may exchange.
    public func issueShortLivedToken(_ token: String) { state.withLock { _ = $0.shortLivedTokens.insert(token) } }
    public func expireContainers() {
        state.withLock { state in
            for id in state.containers.keys where state.containers[id]?.status != "PUBLISHED" { state.containers[id]?.status = "EXPIRED" }
        }
    }
    public func failContainers(message: String) {
        state.withLock { state in
            for id in state.containers.keys where state.containers[id]?.status != "PUBLISHED" {
                state.containers[id]?.status = "ERROR"
                state.containers[id]?.errorMessage = message
            }
        }
    }

    // MARK: - Dispatch

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
        default: break
        }
        var reply = act(on: request, path: path)
        reply.headers.append(HTTPHeader("Date", Self.httpDate(Date())))
        if case .delayAfterActing(let seconds) = injected { reply.delay = seconds }
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : reply
    }

    private func act(on request: ReceivedHTTPRequest, path: String) -> HTTPReply {
        let query = request.path.split(separator: "?", maxSplits: 1).dropFirst().first.map { GraphForm.decode(String($0)) } ?? [:]
        if path == "/refresh_access_token" { return refresh(query) }
        if path == "/access_token" { return exchange(query) }
        guard path.hasPrefix("/v1.0/") else { return refuse("no such endpoint: \(request.method) \(path)") }
        if let refused = checkToken(request) { return refused }
        var form: [String: String] = [:]
        if request.method == "POST" {
            guard request.headers.value(for: "Content-Type") == "application/x-www-form-urlencoded" else {
                return refuse("POST \(path) needs a form-encoded body (Content-Type application/x-www-form-urlencoded)")
            }
            form = GraphForm.decode(String(decoding: request.body, as: UTF8.self))
        }
        let segments = path.dropFirst("/v1.0/".count).split(separator: "/").map(String.init)
        switch (request.method, segments.count) {
        case ("GET", 1) where segments[0] == "me":
            return Self.json(["id": userID, "username": username])
        case ("GET", 1):
            return object(segments[0], fields: query["fields"] ?? "")
        case ("POST", 2), ("GET", 2):
            guard segments[0] == userID else {
                return error(status: 400, code: 100, subcode: 33, "Unsupported request - object with ID '\(segments[0])' does not exist")
            }
            return edge(request.method, segments[1], form: form, query: query)
        default:
            return refuse("no such endpoint: \(request.method) \(path)")
        }
    }

    private func edge(_ method: String, _ edge: String, form: [String: String], query: [String: String]) -> HTTPReply {
        switch (method, api, edge) {
        case ("POST", .facebook, "photos"): return uploadPhoto(form)
        case ("POST", .facebook, "feed"): return publishFeed(form)
        case ("POST", .threads, "threads"), ("POST", .instagram, "media"): return createContainer(form)
        case ("POST", .threads, "threads_publish"), ("POST", .instagram, "media_publish"): return publish(form)
        case ("GET", .threads, "threads"), ("GET", .instagram, "media"): return list(replies: false)
        case ("GET", .threads, "replies"): return list(replies: true)
        case ("GET", .threads, "threads_publishing_limit"), ("GET", .instagram, "content_publishing_limit"): return quota()
        default: return refuse("no such endpoint: \(method) /\(userID)/\(edge) on \(api.rawValue)")
        }
    }

    // MARK: - Tokens

    private func checkToken(_ request: ReceivedHTTPRequest) -> HTTPReply? {
        guard let header = request.headers.value(for: "Authorization"), header.hasPrefix("Bearer ") else {
            state.withLock { $0.violations.append("a call without an access token") }
            return error(status: 400, code: 2500, subcode: nil, "An active access token must be used to query information about the current user.")
        }
        let given = String(header.dropFirst("Bearer ".count))
        let (token, tokenState) = state.withLock { ($0.token, $0.tokenState) }
        guard given == token else {
            return error(status: 400, code: 190, subcode: nil, "Invalid OAuth access token - Cannot parse access token")
        }
        switch tokenState {
        case "expired": return error(status: 400, code: 190, subcode: 463, "Error validating access token: Session has expired.")
        case "revoked": return error(status: 400, code: 190, subcode: 458, "Error validating access token: The user has not authorized application.")
        default: return nil
        }
    }

    private func refresh(_ query: [String: String]) -> HTTPReply {
        guard query["grant_type"] == api.refreshGrant else { return refuse("refresh_access_token needs grant_type=\(api.refreshGrant)") }
        return state.withLock { state -> HTTPReply in
            guard query["access_token"] == state.token, state.tokenState == "valid" else {
                return Self.errorReply(status: 400, code: 190, subcode: 463, "Error validating access token: Session has expired.")
            }
            guard Date().timeIntervalSince(state.tokenIssuedAt) >= 86_400 else {
                state.violations.append("refresh of a token younger than 24 hours")
                return Self.errorReply(status: 400, code: 190, subcode: nil, "The access token must be at least 24 hours old to be refreshed")
            }
            state.refreshes += 1
            state.tokensIssued += 1
            state.token = "EAArefreshed\(state.tokensIssued)"
            state.tokenIssuedAt = Date()
            return Self.json(["access_token": state.token, "token_type": "bearer", "expires_in": 5_184_000])
        }
    }

    private func exchange(_ query: [String: String]) -> HTTPReply {
        guard query["grant_type"] == api.exchangeGrant else { return refuse("access_token needs grant_type=\(api.exchangeGrant)") }
        guard query["client_secret"] == appSecret else {
            return error(status: 400, code: 101, subcode: nil, "Error validating client secret.")
        }
        return state.withLock { state -> HTTPReply in
            guard let short = query["access_token"], state.shortLivedTokens.remove(short) != nil else {
                return Self.errorReply(status: 400, code: 190, subcode: nil, "Invalid OAuth access token - Cannot parse access token")
            }
            state.exchanges += 1
            state.tokensIssued += 1
            state.token = "EAAexchanged\(state.tokensIssued)"
            state.tokenState = "valid"
            state.tokenIssuedAt = Date()
            return Self.json(["access_token": state.token, "token_type": "bearer", "expires_in": 5_184_000])
        }
    }

    // MARK: - Containers

    private func createContainer(_ form: [String: String]) -> HTTPReply {
        let isItem = form["is_carousel_item"] == "true"
        let mediaType = form["media_type"] ?? (api == .instagram ? "IMAGE" : "")
        let text = form[api.textField]
        if api == .threads, !["TEXT", "IMAGE", "VIDEO", "CAROUSEL"].contains(mediaType) {
            return refuse("media_type must be TEXT, IMAGE, VIDEO or CAROUSEL, not '\(mediaType)'")
        }
        if api == .instagram, !["IMAGE", "VIDEO", "REELS", "CAROUSEL"].contains(mediaType) {
            return refuse("media_type '\(mediaType)' is not supported")
        }
        if api == .instagram, mediaType == "TEXT" || (mediaType == "IMAGE" && form["image_url"] == nil) {
            return refuse("image_url is required for an image container")
        }
        if mediaType == "TEXT", (text ?? "").isEmpty { return refuse("text is required for a TEXT container") }
        if let text, text.count > api.textLimit { return refuse("\(api.textField) is \(text.count) characters; the limit is \(api.textLimit)") }
        if isItem, text != nil { return refuse("a carousel item takes no \(api.textField)") }
        var mediaURL: String?
        if mediaType == "IMAGE" || mediaType == "VIDEO" || mediaType == "REELS" {
            let key = mediaType == "IMAGE" ? "image_url" : "video_url"
            guard let url = form[key] else { return refuse("\(key) is required for media_type \(mediaType)") }
            guard mediaHost?.serves(url) == true else {
                state.withLock { $0.violations.append("\(key) \(url) cannot be fetched") }
                return error(status: 400, code: 9004, subcode: 2_207_052, "The media could not be fetched from this uri: \(url)")
            }
            mediaURL = url
        }
        return state.withLock { state -> HTTPReply in
            var children: [String] = []
            if mediaType == "CAROUSEL" {
                children = (form["children"] ?? "").split(separator: ",").map(String.init)
                guard api.carouselRange.contains(children.count) else {
                    state.violations.append("a carousel of \(children.count) children")
                    return Self.errorReply(status: 400, code: 100, subcode: nil, "children must hold \(api.carouselRange) items")
                }
                for child in children where state.containers[child]?.isItem != true {
                    state.violations.append("carousel child \(child) is not a carousel item container")
                    return Self.errorReply(status: 400, code: 100, subcode: nil, "Invalid parameter: children")
                }
            }
            if let replyTo = form["reply_to_id"], !state.posts.contains(where: { $0.id == replyTo }) {
                state.violations.append("reply_to_id \(replyTo) is not a published post")
                return Self.errorReply(status: 400, code: 100, subcode: nil, "Invalid parameter: reply_to_id")
            }
            let id = "1789\(String(format: "%011d", state.nextID))"
            state.nextID += 1
            state.containers[id] = Container(id: id, mediaType: mediaType, text: text, replyTo: form["reply_to_id"], mediaURL: mediaURL,
                                             children: children, altText: form["alt_text"], isItem: isItem, pollsLeft: inProgressPolls,
                                             status: "IN_PROGRESS")
            return Self.json(["id": id])
        }
    }

    private func object(_ id: String, fields: String) -> HTTPReply {
        let base = server.baseURL
        return state.withLock { state -> HTTPReply in
            if var container = state.containers[id] {
                if container.status == "IN_PROGRESS" {
                    if container.pollsLeft > 0 {
                        container.pollsLeft -= 1
                    } else if !container.isItem, state.expiredSoFar < expiringContainers {
                        state.expiredSoFar += 1
                        container.status = "EXPIRED"
                    } else if let containerError {
                        container.status = "ERROR"
                        container.errorMessage = containerError
                    } else {
                        container.status = "FINISHED"
                    }
                    state.containers[id] = container
                }
                var answer: [String: Any] = ["id": id, api.statusField: container.status]
                if api == .instagram { answer["status"] = container.status == "ERROR" ? "Error: \(container.errorMessage ?? "")" : container.status }
                if let message = container.errorMessage, api == .threads { answer["error_message"] = message }
                return Self.json(answer)
            }
            if let post = state.posts.first(where: { $0.id == id }) {
                if api == .facebook {
                    return Self.json(["id": post.id, "permalink_url": "\(base)/crierpage/posts/\(post.id)"])
                }
                return Self.json(["id": post.id, "permalink": "\(base)/@\(username)/post/\(post.id)"])
            }
            if api == .facebook, id == userID { return Self.json(["id": userID, "name": "Crier Test Page"]) }
            return Self.errorReply(status: 400, code: 100, subcode: 33, "Unsupported get request. Object with ID '\(id)' does not exist")
        }
    }

    private func publish(_ form: [String: String]) -> HTTPReply {
        guard let creation = form["creation_id"] else { return refuse("creation_id is required") }
        return state.withLock { state -> HTTPReply in
            guard var container = state.containers[creation], !container.isItem else {
                state.violations.append("publish of unknown container \(creation)")
                return Self.errorReply(status: 400, code: 24, subcode: 4_279_009, "Media Not Found")
            }
            if state.racesLeft > 0 {
                state.racesLeft -= 1
                return Self.errorReply(status: 400, code: 24, subcode: 4_279_009, "Media Not Found")
            }
            switch container.status {
            case "FINISHED": break
            case "PUBLISHED":
                state.violations.append("container \(creation) published twice")
                return Self.errorReply(status: 400, code: 100, subcode: nil, "The container has already been published")
            default:
                state.violations.append("publish of container \(creation) while \(container.status)")
                return Self.errorReply(status: 400, code: 9007, subcode: 2_207_027, "Media ID is not available")
            }
            if state.quotaUsedBefore + state.posts.count >= quotaTotal {
                return Self.errorReply(status: 400, code: 9, subcode: 2_207_042, "The maximum number of posts that can be published has been reached")
            }
            container.status = "PUBLISHED"
            state.containers[creation] = container
            let id = "1790\(String(format: "%011d", state.nextID))"
            state.nextID += 1
            let children = container.children.compactMap { state.containers[$0] }
            let media = container.children.isEmpty ? [container.mediaURL].compactMap { $0 } : children.compactMap(\.mediaURL)
            let alts = container.children.isEmpty ? [container.altText].compactMap { $0 } : children.compactMap(\.altText)
            state.posts.append(Post(id: id, text: container.text, replyTo: container.replyTo, container: creation, media: media,
                                    altTexts: alts, link: nil))
            return Self.json(["id": id])
        }
    }

    private func list(replies: Bool) -> HTTPReply {
        let base = server.baseURL
        let field = api.textField
        let posts = state.withLock { $0.posts }.filter { ($0.replyTo != nil) == replies || api == .instagram }
        return Self.json(["data": posts.reversed().map { post -> [String: Any] in
            ["id": post.id, "permalink": "\(base)/@\(username)/post/\(post.id)", field: post.text ?? ""]
        }])
    }

    private func quota() -> HTTPReply {
        let used = state.withLock { $0.quotaUsedBefore + $0.posts.count }
        var entry: [String: Any] = ["quota_usage": used, "config": ["quota_total": quotaTotal, "quota_duration": 86_400]]
        if api == .threads {
            entry["reply_quota_usage"] = 0
            entry["reply_config"] = ["quota_total": 1000, "quota_duration": 86_400]
        }
        return Self.json(["data": [entry]])
    }

    // MARK: - Facebook Pages

    private func uploadPhoto(_ form: [String: String]) -> HTTPReply {
        guard let url = form["url"] else { return refuse("POST /photos needs url (or a multipart source)") }
        guard form["published"] == "false" else {
            state.withLock { $0.violations.append("a photo uploaded without published=false (it would be a post of its own)") }
            return refuse("photos for a multi-photo post must be uploaded with published=false")
        }
        guard mediaHost?.serves(url) == true else {
            state.withLock { $0.violations.append("photo url \(url) cannot be fetched") }
            return error(status: 400, code: 324, subcode: 2_069_019, "Missing or invalid image file")
        }
        return state.withLock { state -> HTTPReply in
            let id = "55\(String(format: "%011d", state.nextID))"
            state.nextID += 1
            state.photos[id] = Photo(url: url, alt: form["alt_text_custom"], attached: false)
            return Self.json(["id": id])
        }
    }

    private func publishFeed(_ form: [String: String]) -> HTTPReply {
        var attached: [String] = []
        var index = 0
        while let value = form["attached_media[\(index)]"] {
            let object = (try? JSONSerialization.jsonObject(with: Data(value.utf8))) as? [String: Any]
            guard let id = object?["media_fbid"] as? String else { return refuse("attached_media[\(index)] must be {\"media_fbid\":\"ID\"}") }
            attached.append(id)
            index += 1
        }
        if form["message"] == nil, form["link"] == nil, attached.isEmpty { return refuse("a feed post needs message, link or attached_media") }
        let pageID = userID
        return state.withLock { state -> HTTPReply in
            for id in attached {
                guard let photo = state.photos[id], !photo.attached else {
                    state.violations.append("attached_media \(id) is not an unattached unpublished photo")
                    return Self.errorReply(status: 400, code: 100, subcode: nil, "Invalid parameter: attached_media")
                }
                state.photos[id]?.attached = true
            }
            let id = "\(pageID)_\(state.nextID)"
            state.nextID += 1
            state.posts.append(Post(id: id, text: form["message"], replyTo: nil, container: nil, media: attached,
                                    altTexts: attached.compactMap { state.photos[$0]?.alt }, link: form["link"]))
            return Self.json(["id": id])
        }
    }

    // MARK: - Answers

    private func refuse(_ message: String) -> HTTPReply {
        state.withLock { $0.violations.append(message) }
        return Self.errorReply(status: 400, code: 100, subcode: nil, message)
    }

    private func error(status: Int, code: Int, subcode: Int?, _ message: String) -> HTTPReply {
        Self.errorReply(status: status, code: code, subcode: subcode, message)
    }

    static func errorReply(status: Int, code: Int, subcode: Int?, _ message: String) -> HTTPReply {
        var error: [String: Any] = ["message": message, "type": code == 190 ? "OAuthException" : "GraphMethodException", "code": code,
                                    "fbtrace_id": "AbCdEf"]
        if let subcode { error["error_subcode"] = subcode }
        return json(["error": error], status: status)
    }

    static func json(_ object: Any, status: Int = 200) -> HTTPReply {
        HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "application/json")],
                  body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
