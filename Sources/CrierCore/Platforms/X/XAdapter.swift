import Crypto
import Foundation

/// X (API v2). Per part (the media with part 1 of a thread): each image uploaded (`upload-media[n]`, `POST /2/media/upload`, repeat-safe:
/// an unattached upload is invisible and expires) — videos and large GIFs through the chunked upload
/// (`XChunkedUpload`) —, its alt text set (`media-alt[n]`,
/// `POST /2/media/metadata`), then `create` (`POST /2/tweets`, replying to the previous part in a
/// thread). X has no idempotency key, so `create` is not repeat-safe: a lost answer makes the
/// delivery `unknown`, never a second post.
///
/// Two user-context schemes: OAuth 1.0a (`consumer_key`, `consumer_secret`, `access_token`,
/// `access_token_secret`; HMAC-SHA1 signatures, no expiry) and OAuth 2 user tokens from
/// `crier auth` (`client_id`, `client_secret`), kept in the channel's session and refreshed ahead of
/// their 2-hour expiry with the `offline.access` refresh token — which X rotates: the new pair is
/// stored (`.renewed`) before any step uses it.
public struct XAdapter: TokenGrantingAdapter {
    /// Refresh an OAuth 2 token this long before it expires.
    public static let refreshMargin: TimeInterval = 10 * 60
    /// What crier asks for: post, read its own account, upload media, and a refresh token.
    public static let scopes = "tweet.read tweet.write users.read media.write offline.access"

    public init() {}

    /// How a request is authorized.
    enum Authorization {
        case oauth1(OAuth1Signature)
        case bearer(String)
    }

    // MARK: Delivery

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let channel = context.channel.name
        let authorization: Authorization
        switch Self.authorization(secrets: context.secrets, settings: context.channel.settings, session: context.session, channel: channel,
                                  now: now) {
        case .problem(let message): return .fail(message)
        case .refresh(let step): return .request(step(context.channel))
        case .ready(let ready): authorization = ready
        }
        let base = Self.apiBase(context.channel.url)
        var mediaIDs: [String] = []
        // A thread's images go with its first post; the replies are text.
        for (index, item) in (context.part == 1 ? context.media : []).enumerated() {
            let n = index + 1
            if progress.values["media[\(n)]"] == nil, XChunkedUpload.needed(for: item) {
                let upload = XChunkedUpload(base: base, n: n, item: item)
                do {
                    if let next = try upload.nextRequest(progress: progress, deliveryID: context.deliveryID,
                                                         bytes: { () throws(MediaError) -> Data in try media.bytes(of: item) }) {
                        var request = next.request
                        sign(&request, with: authorization, step: next.name, context: context, progress: progress, now: now)
                        return .request(StepRequest(name: next.name, request: request, repeatSafe: true))
                    }
                } catch {
                    return .fail("channel '\(channel)': \(error.description)")
                }
            }
            guard let mediaID = progress.values["media[\(n)]"] else {
                let bytes: Data
                do { bytes = try media.bytes(of: item) } catch { return .fail("channel '\(channel)': \(error.description)") }
                let category = item.mimeType == "image/gif" ? "tweet_gif" : "tweet_image"
                let boundary = "crier-" + Self.hex(SHA256.hash(data: Data("\(context.deliveryID)/\(n)".utf8))).prefix(24)
                let body = Self.multipart(boundary: boundary, file: item, bytes: bytes, category: category)
                let url = "\(base)/2/media/upload"
                var request = OutgoingRequest(method: "POST", url: url, headers: [HTTPHeader("Content-Type", "multipart/form-data; boundary=\(boundary)")],
                                              body: body, label: context.deliveryID)
                sign(&request, with: authorization, step: "upload-media[\(n)]", context: context, progress: progress, now: now)
                return .request(StepRequest(name: "upload-media[\(n)]", request: request, repeatSafe: true))
            }
            if let alt = item.alt, !progress.isDone("media-alt[\(n)]") {
                var writer = JSONWriter()
                writer.raw("{\"id\":")
                writer.string(mediaID)
                writer.raw(",\"metadata\":{\"alt_text\":{\"text\":")
                writer.string(alt)
                writer.raw("}}}")
                var request = OutgoingRequest(method: "POST", url: "\(base)/2/media/metadata", headers: [HTTPHeader("Content-Type", "application/json")],
                                              body: Data(writer.bytes), label: context.deliveryID)
                sign(&request, with: authorization, step: "media-alt[\(n)]", context: context, progress: progress, now: now)
                return .request(StepRequest(name: "media-alt[\(n)]", request: request, repeatSafe: true))
            }
            mediaIDs.append(mediaID)
        }
        var replyTo: String?
        if context.part > 1 {
            guard let id = context.replyTo?.id else {
                return .fail("channel '\(channel)': part \(context.part) has nothing to reply to: X gave part \(context.part - 1) no post id")
            }
            replyTo = id
        }
        var request = OutgoingRequest(method: "POST", url: "\(base)/2/tweets", headers: [HTTPHeader("Content-Type", "application/json")],
                                      body: Self.tweetBody(text: context.text, mediaIDs: mediaIDs, replyTo: replyTo), label: context.deliveryID)
        sign(&request, with: authorization, step: "create", context: context, progress: progress, now: now)
        return .request(StepRequest(name: "create", request: request, repeatSafe: false))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let channel = context.channel.name
        let oauth2 = Self.oauth1(context.secrets) == nil
        if step.name == "refresh" {
            return readRefresh(response, channel: channel, previous: context.session)
        }
        if response.status == 401 {
            let words = Self.message(response)
            return oauth2
                ? .sessionExpired("X refused the access token of channel '\(channel)' (HTTP 401: \(words))")
                : .failed("X refused the OAuth 1.0a credentials of channel '\(channel)' (HTTP 401: \(words)): check consumer_key, consumer_secret, access_token and access_token_secret (regenerate them in the X developer console if they were revoked)")
        }
        if response.status == 429, Self.isUsageCapped(response) {
            return .failed("X says the app's usage cap is used up (HTTP 429: \(Self.message(response))); nothing more can be posted to '\(channel)' until the cap resets or the app's plan is raised in the X developer console")
        }
        if response.status == 429 {
            return .retry("X rate limit reached on channel '\(channel)' (\(Self.message(response)))", after: Self.rateLimitWait(response))
        }
        switch step.name {
        case "create":
            if response.status == 201 || response.status == 200 {
                guard let id = Self.dataValue(response, "id") else {
                    return .failed("X answered the post of channel '\(channel)' without a post id (HTTP \(response.status))")
                }
                return .sent(RemoteReference(id: id, url: "https://x.com/i/status/\(id)"))
            }
            if response.status == 403, Self.message(response).lowercased().contains("duplicate") {
                return .failed("X refused part \(context.part) on channel '\(channel)' as duplicate content (HTTP 403: \(Self.message(response))); X takes the same text only once from an account: change the text, or check whether it was already posted")
            }
            if response.status == 403 {
                return .failed("X refused the post on channel '\(channel)' (HTTP 403: \(Self.message(response))): the app needs \"Read and write\" permission and the user token the tweet.write scope (run `crier auth \(channel)` again after changing it)")
            }
            if (400..<500).contains(response.status) {
                return .failed("X refused the post on channel '\(channel)' (HTTP \(response.status): \(Self.message(response)))")
            }
            return .standard
        default:
            if (200..<300).contains(response.status),
               let answer = XChunkedUpload.read(response, step: step.name, progress: progress, channel: channel) {
                return answer
            }
            if let n = Self.index(step.name, prefix: "upload-media["), (200..<300).contains(response.status) {
                guard let id = Self.dataValue(response, "id") ?? Self.dataValue(response, "media_id_string") else {
                    return .failed("X answered the media upload of channel '\(channel)' without a media id")
                }
                return .advanced(progress.completing(step.name, values: ["media[\(n)]": id]))
            }
            if step.name.hasPrefix("media-alt["), (200..<300).contains(response.status) {
                return .advanced(progress.completing(step.name))
            }
            if (400..<500).contains(response.status) {
                return .failed("X refused \(step.name) on channel '\(channel)' (HTTP \(response.status): \(Self.message(response)))")
            }
            return .standard
        }
    }

    func readRefresh(_ response: TransportResponse, channel: String, previous: ChannelSession) -> StepAnswer {
        if response.status == 429 || response.status >= 500 { return .standard }
        switch OAuth2TokenAnswer.session(from: response, issuedAt: OAuth2TokenAnswer.date(of: response), previous: previous, platform: "X") {
        case .success(let session):
            return .renewed(session)
        case .failure(let error):
            return .failed("\(error.message) for channel '\(channel)': the refresh token is no longer valid; run `crier auth \(channel)` to sign in again")
        }
    }

    // MARK: Probe

    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        let channel = context.channel.name
        if values["user"] != nil {
            let who = "ok as @\(values["user"] ?? "")"
            if Self.oauth1(context.secrets) != nil { return .ok("\(who) (OAuth 1.0a; these tokens do not expire)") }
            let expiry = context.session.expiresAt.map { "; token expires \(TimestampFormat.string($0))" } ?? ""
            let refresh = context.session.values["refresh_token"] != nil ? " (refreshed automatically)" : " (no refresh token: run `crier auth \(channel)` again before then)"
            return .ok(who + expiry + (expiry.isEmpty ? "" : refresh))
        }
        let authorization: Authorization
        switch Self.authorization(secrets: context.secrets, settings: context.channel.settings, session: context.session, channel: channel,
                                  now: nil, forceRefresh: values["expired"] != nil && values["expired"] == Self.fingerprint(context.session)) {
        case .problem(let message): return .problem(message)
        case .refresh(let step): return .request(step(context.channel))
        case .ready(let ready): authorization = ready
        }
        var request = OutgoingRequest(method: "GET", url: "\(Self.apiBase(context.channel.url))/2/users/me")
        switch authorization {
        case .bearer(let token): request.headers.append(HTTPHeader("Authorization", "Bearer \(token)"))
        case .oauth1(let signer):
            let nonce = Self.hex(SHA256.hash(data: Data("probe/\(channel)/\(values.count)/\(UInt64.random(in: 0 ... .max))".utf8))).prefix(32)
            request.headers.append(HTTPHeader("Authorization", signer.authorization(method: "GET", url: request.url, nonce: String(nonce),
                                                                                     timestamp: Int(Date().timeIntervalSince1970))))
        }
        return .request(StepRequest(name: "me", request: request, repeatSafe: true))
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        let channel = context.channel.name
        if step.name == "refresh" {
            switch readRefresh(response, channel: channel, previous: context.session) {
            case .renewed(let session): return .renewed(session)
            case .failed(let message): return .problem(message)
            default: return .problem("X answered the token refresh of channel '\(channel)' with HTTP \(response.status): \(Self.message(response))")
            }
        }
        if response.status == 200, let username = Self.dataValue(response, "username") {
            return .advanced(["user": username])
        }
        if response.status == 401, Self.oauth1(context.secrets) == nil, values["expired"] == nil,
           context.session.values["refresh_token"] != nil {
            // Refreshed once: the next step refreshes while the session is still this one.
            return .advanced(["expired": Self.fingerprint(context.session)])
        }
        if response.status == 401 {
            return .problem(Self.oauth1(context.secrets) == nil
                ? "X refused the user token of channel '\(channel)' (HTTP 401: \(Self.message(response))): run `crier auth \(channel)`"
                : "X refused the OAuth 1.0a credentials of channel '\(channel)' (HTTP 401: \(Self.message(response))): check the four keys in the X developer console")
        }
        return .problem("X answered GET /2/users/me for channel '\(channel)' with HTTP \(response.status): \(Self.message(response))")
    }

    // MARK: Tokens (crier auth)

    public func authorizationURL(for context: ProbeContext, redirectURI: String, state: String, codeChallenge: String) -> String? {
        guard let clientID = context.channel.settings["client_id"] else { return nil }
        let query: [(String, String)] = [("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI),
                                         ("scope", Self.scopes), ("state", state), ("code_challenge", codeChallenge),
                                         ("code_challenge_method", PKCE.method)]
        return Self.authorizeBase(context.channel.url) + "/i/oauth2/authorize?"
            + query.map { "\($0.0)=\(OAuth1Signature.percentEncode($0.1))" }.joined(separator: "&")
    }

    public func tokenRequest(code: String, codeVerifier: String, redirectURI: String, for context: ProbeContext) -> StepRequest {
        let clientID = context.channel.settings["client_id"] ?? ""
        return Self.tokenStep(name: "token", channel: context.channel, secrets: context.secrets,
                              form: [("code", code), ("grant_type", "authorization_code"), ("client_id", clientID),
                                     ("redirect_uri", redirectURI), ("code_verifier", codeVerifier)])
    }

    public func readTokens(_ response: TransportResponse, for context: ProbeContext, now: Date) -> Result<ChannelSession, TokenGrantError> {
        OAuth2TokenAnswer.session(from: response, issuedAt: OAuth2TokenAnswer.date(of: response) ?? now, platform: "X")
    }

    // MARK: Helpers

    /// What authorizes the next request: a ready credential, a refresh to run first, or why there
    /// is none.
    enum Credential {
        case ready(Authorization)
        case refresh(@Sendable (ChannelConfig) -> StepRequest)
        case problem(String)
    }

    /// OAuth 1.0a when the four keys are given, else the OAuth 2 session (refreshed when it is
    /// refused, or within `refreshMargin` of its expiry).
    static func authorization(secrets: [String: Secret], settings: [String: String], session: ChannelSession, channel: String,
                              now: Date?, forceRefresh: Bool = false) -> Credential {
        if let signer = oauth1(secrets) { return .ready(.oauth1(signer)) }
        guard settings["client_id"] != nil else {
            return .problem("channel '\(channel)': X needs either consumer_key, consumer_secret, access_token and access_token_secret (OAuth 1.0a), or client_id and client_secret with `crier auth \(channel)` (OAuth 2)")
        }
        guard let token = session["access_token"] else {
            return .problem("channel '\(channel)' has no X user token yet: run `crier auth \(channel)` and sign in as the account to post as")
        }
        let due = session.isPlaceholder ? false
            : session.needsRenewal || forceRefresh || (now != nil && session.expiresAt.map { $0.timeIntervalSince(now!) < refreshMargin } == true)
        guard due else { return .ready(.bearer(token)) }
        guard let refresh = session["refresh_token"] else {
            return .problem("the X token of channel '\(channel)' has expired and there is no refresh token (the offline.access scope was not granted): run `crier auth \(channel)`")
        }
        let secretsCopy = secrets
        return .refresh { config in
            tokenStep(name: "refresh", channel: config, secrets: secretsCopy,
                      form: [("refresh_token", refresh), ("grant_type", "refresh_token"), ("client_id", settings["client_id"] ?? "")],
                      sessionStep: true)
        }
    }

    static func tokenStep(name: String, channel: ChannelConfig, secrets: [String: Secret], form: [(String, String)],
                          sessionStep: Bool = false) -> StepRequest {
        var headers = [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")]
        if let secret = secrets["client_secret"] {
            headers.append(HTTPHeader("Authorization", OAuth2TokenAnswer.basicAuthorization(clientID: channel.settings["client_id"] ?? "",
                                                                                              clientSecret: secret.value)))
        }
        let request = OutgoingRequest(method: "POST", url: "\(apiBase(channel.url))/2/oauth2/token", headers: headers,
                                      body: OAuth2TokenAnswer.form(form), label: channel.name)
        // A refresh changes no post: repeating it cannot post twice. (X rotates the refresh token,
        // so a refresh whose answer is lost costs a new `crier auth`; nothing crier can avoid.)
        return StepRequest(name: name, request: request, repeatSafe: true, sessionStep: sessionStep)
    }

    static func oauth1(_ secrets: [String: Secret]) -> OAuth1Signature? {
        guard let consumerKey = secrets["consumer_key"], let consumerSecret = secrets["consumer_secret"],
              let token = secrets["access_token"], let tokenSecret = secrets["access_token_secret"] else { return nil }
        return OAuth1Signature(consumerKey: consumerKey.value, consumerSecret: consumerSecret.value, token: token.value,
                               tokenSecret: tokenSecret.value)
    }

    /// Adds the `Authorization` header. OAuth 1.0a nonces differ per delivery, step, attempt and
    /// millisecond, so a retry is never refused as a replay.
    func sign(_ request: inout OutgoingRequest, with authorization: Authorization, step: String, context: DeliveryContext,
              progress: DeliveryProgress, now: Date) {
        switch authorization {
        case .bearer(let token):
            request.headers.append(HTTPHeader("Authorization", "Bearer \(token)"))
        case .oauth1(let signer):
            let seed = "\(context.deliveryID)/\(step)/\(progress.stepAttempts)/\(Int64(now.timeIntervalSince1970 * 1000))"
            let nonce = String(Self.hex(SHA256.hash(data: Data(seed.utf8))).prefix(32))
            request.headers.append(HTTPHeader("Authorization", signer.authorization(method: request.method, url: request.url, nonce: nonce,
                                                                                     timestamp: Int(now.timeIntervalSince1970))))
        }
    }

    /// `{"media":{"media_ids":[…]},"reply":{"in_reply_to_tweet_id":…},"text":…}`.
    static func tweetBody(text: String, mediaIDs: [String], replyTo: String?) -> Data {
        var writer = JSONWriter()
        writer.raw("{")
        if !mediaIDs.isEmpty {
            writer.raw("\"media\":{\"media_ids\":")
            writer.array(mediaIDs) { $0.string($1) }
            writer.raw("},")
        }
        if let replyTo {
            writer.raw("\"reply\":{\"in_reply_to_tweet_id\":")
            writer.string(replyTo)
            writer.raw("},")
        }
        writer.raw("\"text\":")
        writer.string(text)
        writer.raw("}")
        return Data(writer.bytes)
    }

    static func multipart(boundary: String, file: MediaItem, bytes: Data, category: String) -> Data {
        var body = Data()
        let name = file.file.split(separator: "/").last.map(String.init) ?? "media"
        let safeName = name.replacingOccurrences(of: "\"", with: "_").replacingOccurrences(of: "\r", with: "_").replacingOccurrences(of: "\n", with: "_")
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"media_category\"\r\n\r\n\(category)\r\n".utf8))
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"media\"; filename=\"\(safeName)\"\r\nContent-Type: \(file.mimeType)\r\n\r\n".utf8))
        body.append(bytes)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        return body
    }

    /// `data.<key>` of a JSON answer, as a string.
    static func dataValue(_ response: TransportResponse, _ key: String) -> String? {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let data = json?["data"] as? [String: Any]
        return (data?[key] as? String) ?? (data?[key] as? NSNumber)?.stringValue
    }

    /// X's words: `detail` (v2 problem), `errors[0].message`, `title`, or the body.
    static func message(_ response: TransportResponse) -> String {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        if let detail = json["detail"] as? String { return ReceiverMessage.clip(detail) }
        if let message = ((json["errors"] as? [[String: Any]])?.first)?["message"] as? String { return ReceiverMessage.clip(message) }
        if let title = json["title"] as? String { return ReceiverMessage.clip(title) }
        if let error = json["error_description"] as? String ?? json["error"] as? String { return ReceiverMessage.clip(error) }
        return ReceiverMessage.summary(of: response)
    }

    /// A 429 for the app's plan cap (`UsageCapExceeded`, problem type `…/usage-capped`), not the
    /// 15-minute window: waiting minutes does not help.
    static func isUsageCapped(_ response: TransportResponse) -> Bool {
        let body = String(decoding: response.body.prefix(4096), as: UTF8.self)
        return body.contains("UsageCapExceeded") || body.contains("usage-capped")
    }

    /// Seconds until `x-rate-limit-reset` (epoch seconds), measured against the answer's `Date`.
    static func rateLimitWait(_ response: TransportResponse) -> TimeInterval? {
        guard let reset = response.headers.value(for: "x-rate-limit-reset").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
              let date = OAuth2TokenAnswer.date(of: response) else { return nil }
        return max(1, reset - date.timeIntervalSince1970)
    }

    static func index(_ name: String, prefix: String) -> Int? {
        guard name.hasPrefix(prefix), name.hasSuffix("]") else { return nil }
        return Int(name.dropFirst(prefix.count).dropLast())
    }

    static func apiBase(_ url: String) -> String {
        var base = Substring(url)
        while base.hasSuffix("/") { base = base.dropLast() }
        return String(base)
    }

    /// Where users sign in: x.com for the real API, the channel's `url` otherwise (a test's fake).
    static func authorizeBase(_ url: String) -> String {
        let base = apiBase(url)
        return base == "https://api.x.com" || base == "https://api.twitter.com" ? "https://x.com" : base
    }

    /// A short digest naming a session's refresh token (never the token itself).
    static func fingerprint(_ session: ChannelSession) -> String {
        String(hex(SHA256.hash(data: Data((session.values["refresh_token"] ?? "").utf8))).prefix(12))
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let hex = Array("0123456789abcdef")
        return String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] })
    }
}
