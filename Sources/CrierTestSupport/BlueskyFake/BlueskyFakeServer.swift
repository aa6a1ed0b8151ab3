import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of a Bluesky PDS (the XRPC methods crier uses), as strict as the real one where
/// crier depends on it (lexicons and `packages/pds` in bluesky-social/atproto):
///
/// - sessions: `createSession` (counted; more than `loginLimit` in the fake's life is answered 429
///   `RateLimitExceeded`, as the real per-account limit would), `refreshSession` with the refresh
///   token (the old one stops working), `getSession`; `expireAccessTokens()` makes every access
///   token issued so far answer 400 `ExpiredToken`;
/// - `resolveHandle` for the handles in `knownHandles` (others: 400 `Unable to resolve handle`);
/// - `uploadBlob`: raw bytes → a blob ref (CID of the bytes);
/// - `createRecord` of `app.bsky.feed.post`: `repo` must be the session's DID, `rkey` a valid TID;
///   an `rkey` that exists already is answered **500 `InternalServerError`**, as the PDS does (its
///   repo tree refuses the key with a plain error: "There is already a value at key");
///   the text ≤ 300 graphemes and 3,000 bytes; every facet's byte range inside the text, on UTF-8
///   character boundaries, and matching its feature (`#tag` for a tag, `@handle` of the DID for a
///   mention, the link text for a link); `reply.root`/`reply.parent` naming existing posts with their
///   CIDs, the root being the parent's root; images ≤ 4, each a blob uploaded before, `image/*`, ≤
///   2,000,000 bytes, with an `alt`; 400 `InvalidRequest` otherwise;
/// - `getRecord` → the record, or 400 `RecordNotFound`;
/// - `RateLimit-*` headers on every answer.
///
/// What breaks a rule is recorded in `violations`.
public final class BlueskyFakeServer: Sendable {
    public struct Record: Sendable, Equatable {
        public var rkey: String
        public var uri: String
        public var cid: String
        public var text: String
        public var facets: [[String: String]]
        public var rootURI: String?
        public var parentURI: String?
        public var imageAlts: [String]
        public var langs: [String]
        public var externalTitle: String?
        public var json: String
    }

    public enum Fault: Sendable, Equatable {
        case dropBeforeActing
        case dropAfterActing
        case status(Int)
    }

    private struct State {
        var records: [Record] = []
        var blobs: [String: (mimeType: String, size: Int)] = [:]
        var access: [String: Bool] = [:]  // token → expired
        var refresh: Set<String> = []
        var logins = 0
        var refreshes = 0
        var violations: [String] = []
        var requests: [String] = []
        var tokenCounter = 0
    }

    public let handle: String
    public let did: String
    public let appPassword: String
    public let knownHandles: [String: String]
    public let loginLimit: Int
    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> Fault?
    private let server: LoopbackHTTPServer

    public init(handle: String = "crier.test", did: String = "did:plc:crierfake0000000000000", appPassword: String = "abcd-efgh-ijkl-mnop",
                knownHandles: [String: String] = [:], loginLimit: Int = 30,
                fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Fault? = { _, _ in nil }) throws {
        self.handle = handle
        self.did = did
        self.appPassword = appPassword
        self.knownHandles = knownHandles.merging([handle: did]) { first, _ in first }
        self.loginLimit = loginLimit
        self.fault = fault
        let box = Mutex<BlueskyFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    public var url: String { server.baseURL }
    public func stop() { server.stop() }

    public var records: [Record] { state.withLock { $0.records } }
    public var logins: Int { state.withLock { $0.logins } }
    public var refreshes: Int { state.withLock { $0.refreshes } }
    public var violations: [String] { state.withLock { $0.violations } }
    /// `METHOD method` (the XRPC method name) of every request, in arrival order.
    public var requests: [String] { state.withLock { $0.requests } }

    /// Every access token issued so far is refused from now on as `ExpiredToken`.
    public func expireAccessTokens() {
        state.withLock { state in
            for key in state.access.keys { state.access[key] = true }
        }
    }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let path = request.path.split(separator: "?").first.map(String.init) ?? request.path
        let method = path.hasPrefix("/xrpc/") ? String(path.dropFirst(6)) : path
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(method)")
            return state.requests.count - 1
        }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .status(let status): return reply(status, ["error": "InternalServerError", "message": "injected"])
        default: break
        }
        let answer = act(on: request, method: method)
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : answer
    }

    private func query(_ request: ReceivedHTTPRequest) -> [String: String] {
        guard let query = request.path.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var out: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            out[kv[0]] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
        }
        return out
    }

    private func bearer(_ request: ReceivedHTTPRequest) -> String? {
        guard let value = request.headers.value(for: "Authorization"), value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }

    /// nil when the access token is good; else the refusal.
    private func checkAccess(_ request: ReceivedHTTPRequest, _ method: String) -> HTTPReply? {
        guard let token = bearer(request) else {
            return refuse(401, "AuthenticationRequired", "Authentication Required", violation: "\(method) without a bearer token")
        }
        let expired = state.withLock { $0.access[token] }
        switch expired {
        case .none: return refuse(400, "InvalidToken", "Token could not be verified", violation: "\(method) with an unknown access token")
        case .some(true): return reply(400, ["error": "ExpiredToken", "message": "Token has expired"])
        case .some(false): return nil
        }
    }

    private func act(on request: ReceivedHTTPRequest, method: String) -> HTTPReply {
        let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
        switch (request.method, method) {
        case ("POST", "com.atproto.server.createSession"):
            let identifier = json["identifier"] as? String
            guard identifier == handle || identifier == did, json["password"] as? String == appPassword else {
                return refuse(401, "AuthenticationRequired", "Invalid identifier or password", violation: "createSession with wrong credentials")
            }
            return state.withLock { state -> HTTPReply in
                state.logins += 1
                if state.logins > loginLimit {
                    state.violations.append("createSession number \(state.logins): over the per-account limit")
                    return reply(429, ["error": "RateLimitExceeded", "message": "Rate Limit Exceeded"], remaining: 0)
                }
                return reply(200, issue(&state))
            }
        case ("POST", "com.atproto.server.refreshSession"):
            guard let token = bearer(request) else { return refuse(401, "AuthenticationRequired", "Authentication Required", violation: "refresh without token") }
            return state.withLock { state -> HTTPReply in
                guard state.refresh.remove(token) != nil else {
                    state.violations.append("refreshSession with an unknown or used refresh token")
                    return reply(400, ["error": "ExpiredToken", "message": "Token has been revoked"])
                }
                state.refreshes += 1
                return reply(200, issue(&state))
            }
        case ("GET", "com.atproto.server.getSession"):
            if let refused = checkAccess(request, method) { return refused }
            return reply(200, ["handle": handle, "did": did, "active": true])
        case ("GET", "com.atproto.identity.resolveHandle"):
            let wanted = (query(request)["handle"] ?? "").lowercased()
            guard let found = knownHandles[wanted] else { return reply(400, ["error": "InvalidRequest", "message": "Unable to resolve handle"]) }
            return reply(200, ["did": found])
        case ("POST", "com.atproto.repo.uploadBlob"):
            if let refused = checkAccess(request, method) { return refused }
            let type = request.headers.value(for: "Content-Type") ?? "application/octet-stream"
            let cid = Self.cid(request.body)
            state.withLock { $0.blobs[cid] = (type, request.body.count) }
            return reply(200, ["blob": ["$type": "blob", "ref": ["$link": cid], "mimeType": type, "size": request.body.count]])
        case ("POST", "com.atproto.repo.createRecord"):
            if let refused = checkAccess(request, method) { return refused }
            return createRecord(json, raw: request.body)
        case ("GET", "com.atproto.repo.getRecord"):
            let q = query(request)
            let uri = "at://\(q["repo"] ?? "")/\(q["collection"] ?? "")/\(q["rkey"] ?? "")"
            guard let found = state.withLock({ $0.records.first { $0.uri == uri } }) else {
                return reply(400, ["error": "RecordNotFound", "message": "Could not locate record: \(uri)"])
            }
            return reply(200, ["uri": found.uri, "cid": found.cid, "value": (try? JSONSerialization.jsonObject(with: Data(found.json.utf8))) ?? [:]])
        default:
            return refuse(501, "MethodNotImplemented", "Method Not Implemented", violation: "no such method: \(request.method) \(method)")
        }
    }

    private func issue(_ state: inout State) -> [String: Any] {
        state.tokenCounter += 1
        let exp = Int(Date().timeIntervalSince1970) + 7_200
        let access = Self.jwt(["scope": "com.atproto.appPass", "sub": did, "exp": exp, "n": state.tokenCounter])
        let refresh = Self.jwt(["scope": "com.atproto.refresh", "sub": did, "exp": exp + 86_400 * 90, "n": state.tokenCounter])
        state.access[access] = false
        state.refresh.insert(refresh)
        return ["accessJwt": access, "refreshJwt": refresh, "handle": handle, "did": did, "active": true]
    }

    private func createRecord(_ body: [String: Any], raw: Data) -> HTTPReply {
        guard body["repo"] as? String == did else { return invalid("repo must be the session's DID \(did)") }
        guard body["collection"] as? String == "app.bsky.feed.post" else { return invalid("collection must be app.bsky.feed.post") }
        guard let rkey = body["rkey"] as? String, BlueskyRecordKey.isValidTID(rkey) else { return invalid("rkey must be a TID") }
        guard let record = body["record"] as? [String: Any], record["$type"] as? String == "app.bsky.feed.post",
              let text = record["text"] as? String, record["createdAt"] is String else {
            return invalid("Invalid app.bsky.feed.post record: must have $type, text and createdAt")
        }
        if text.count > 300 || text.utf8.count > 3000 { return invalid("Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes") }
        let bytes = Array(text.utf8)
        var facets: [[String: String]] = []
        for facet in record["facets"] as? [[String: Any]] ?? [] {
            guard let index = facet["index"] as? [String: Any], let start = (index["byteStart"] as? NSNumber)?.intValue,
                  let end = (index["byteEnd"] as? NSNumber)?.intValue, let feature = (facet["features"] as? [[String: Any]])?.first else {
                return invalid("a facet needs index.byteStart, index.byteEnd and features")
            }
            guard 0 <= start, start < end, end <= bytes.count else { return invalid("facet \(start)..<\(end) lies outside the text's \(bytes.count) bytes") }
            func boundary(_ at: Int) -> Bool { at == bytes.count || bytes[at] & 0xC0 != 0x80 }
            guard boundary(start), boundary(end) else { return invalid("facet \(start)..<\(end) splits a UTF-8 character") }
            let slice = String(decoding: bytes[start..<end], as: UTF8.self)
            switch feature["$type"] as? String {
            case "app.bsky.richtext.facet#link":
                let uri = feature["uri"] as? String ?? ""
                guard uri == slice || uri == "https://" + slice else { return invalid("link facet '\(slice)' does not match its uri \(uri)") }
                facets.append(["link": uri, "text": slice])
            case "app.bsky.richtext.facet#tag":
                guard let tag = feature["tag"] as? String, slice == "#" + tag else { return invalid("tag facet '\(slice)' does not match its tag") }
                facets.append(["tag": tag, "text": slice])
            case "app.bsky.richtext.facet#mention":
                let mentioned = feature["did"] as? String ?? ""
                guard let handle = knownHandles.first(where: { $0.value == mentioned })?.key, slice.lowercased() == "@" + handle else {
                    return invalid("mention facet '\(slice)' does not match the handle of \(mentioned)")
                }
                facets.append(["mention": mentioned, "text": slice])
            default:
                return invalid("unknown facet feature \(feature["$type"] ?? "nil")")
            }
        }
        return state.withLock { state -> HTTPReply in
            var rootURI: String?
            var parentURI: String?
            if let reply = record["reply"] as? [String: Any] {
                guard let root = reply["root"] as? [String: Any], let parent = reply["parent"] as? [String: Any],
                      let parentRecord = state.records.first(where: { $0.uri == parent["uri"] as? String && $0.cid == parent["cid"] as? String }),
                      let rootRecord = state.records.first(where: { $0.uri == root["uri"] as? String && $0.cid == root["cid"] as? String }) else {
                    return invalidLocked(&state, "reply.root and reply.parent must name existing posts by uri and cid")
                }
                guard rootRecord.uri == (parentRecord.rootURI ?? parentRecord.uri) else {
                    return invalidLocked(&state, "reply.root must be the parent's root")
                }
                rootURI = rootRecord.uri
                parentURI = parentRecord.uri
            }
            var alts: [String] = []
            var externalTitle: String?
            if let embed = record["embed"] as? [String: Any] {
                switch embed["$type"] as? String {
                case "app.bsky.embed.images":
                    let images = embed["images"] as? [[String: Any]] ?? []
                    guard (1...4).contains(images.count) else { return invalidLocked(&state, "embed.images must hold 1 to 4 images") }
                    for image in images {
                        guard let alt = image["alt"] as? String, let blob = image["image"] as? [String: Any],
                              let link = (blob["ref"] as? [String: Any])?["$link"] as? String, let known = state.blobs[link],
                              (blob["size"] as? NSNumber)?.intValue == known.size, blob["mimeType"] as? String == known.mimeType else {
                            return invalidLocked(&state, "each image needs alt and the blob ref uploadBlob returned")
                        }
                        guard known.mimeType.hasPrefix("image/"), known.size <= 2_000_000 else {
                            return invalidLocked(&state, "image blob must be image/* and at most 2000000 bytes")
                        }
                        if let ratio = image["aspectRatio"] as? [String: Any],
                           !((ratio["width"] as? NSNumber)?.intValue ?? 0 > 0 && (ratio["height"] as? NSNumber)?.intValue ?? 0 > 0) {
                            return invalidLocked(&state, "aspectRatio needs positive width and height")
                        }
                        alts.append(alt)
                    }
                case "app.bsky.embed.external":
                    guard let external = embed["external"] as? [String: Any], external["uri"] is String, let title = external["title"] as? String,
                          external["description"] is String else {
                        return invalidLocked(&state, "embed.external needs uri, title and description")
                    }
                    if let thumb = external["thumb"] as? [String: Any] {
                        guard let link = (thumb["ref"] as? [String: Any])?["$link"] as? String, state.blobs[link] != nil else {
                            return invalidLocked(&state, "embed.external.thumb must be an uploaded blob")
                        }
                    }
                    externalTitle = title
                default:
                    return invalidLocked(&state, "unknown embed \(embed["$type"] ?? "nil")")
                }
            }
            let uri = "at://\(did)/app.bsky.feed.post/\(rkey)"
            if state.records.contains(where: { $0.uri == uri }) {
                // The PDS's repo tree refuses an existing key with a plain error: a 500.
                return reply(500, ["error": "InternalServerError", "message": "Internal Server Error"])
            }
            let recordJSON = (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])) ?? Data()
            let cid = Self.cid(recordJSON)
            state.records.append(Record(rkey: rkey, uri: uri, cid: cid, text: text, facets: facets, rootURI: rootURI, parentURI: parentURI,
                                        imageAlts: alts, langs: record["langs"] as? [String] ?? [], externalTitle: externalTitle,
                                        json: String(decoding: recordJSON, as: UTF8.self)))
            return reply(200, ["uri": uri, "cid": cid, "commit": ["cid": Self.cid(Data(uri.utf8)), "rev": rkey], "validationStatus": "valid"])
        }
    }

    private func invalid(_ message: String) -> HTTPReply {
        state.withLock { invalidLocked(&$0, message) }
    }

    private func invalidLocked(_ state: inout State, _ message: String) -> HTTPReply {
        state.violations.append(message)
        return reply(400, ["error": "InvalidRequest", "message": message])
    }

    private func refuse(_ status: Int, _ error: String, _ message: String, violation: String) -> HTTPReply {
        state.withLock { $0.violations.append(violation) }
        return reply(status, ["error": error, "message": message])
    }

    private func reply(_ status: Int, _ object: [String: Any], remaining: Int = 4_990) -> HTTPReply {
        let reset = Int(Date().timeIntervalSince1970) + 3_600
        return HTTPReply(status: status,
                         headers: [HTTPHeader("Content-Type", "application/json; charset=utf-8"), HTTPHeader("RateLimit-Limit", "5000"),
                                   HTTPHeader("RateLimit-Remaining", String(remaining)), HTTPHeader("RateLimit-Reset", String(reset)),
                                   HTTPHeader("RateLimit-Policy", "5000;w=3600")],
                         body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func cid(_ data: Data) -> String {
        "bafyrei" + ContentHash.of(data).prefix(40)
    }

    static func jwt(_ claims: [String: Any]) -> String {
        func base64url(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = base64url(Data(#"{"alg":"ES256K","typ":"at+jwt"}"#.utf8))
        let payload = base64url((try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data())
        return "\(header).\(payload).\(base64url(Data(ContentHash.of(Data(payload.utf8)).utf8)))"
    }
}
