import Foundation

/// LinkedIn (Posts API, versioned `rest/` endpoints). Per post: each image registered
/// (`init-image[n]`, `POST /rest/images?action=initializeUpload`) and its bytes PUT to the upload URL
/// LinkedIn gave (`upload-image[n]`) — both repeat-safe, an image no post references is invisible —
/// then `create` (`POST /rest/posts`; the post's URN comes back in the `x-restli-id` header). The
/// create has no idempotency key, so it is not repeat-safe (a lost answer: `unknown`); but LinkedIn
/// refuses a repeat of recent content as a duplicate naming the existing post, and that answer is
/// read as sent, with that URN.
///
/// Every call carries `LinkedIn-Version` (the channel's `version:`, else `defaultVersion`) and
/// `X-Restli-Protocol-Version: 2.0.0`. The member's token (60 days) comes from
/// `crier auth CHANNEL --token` or the authorization-code flow, and is refreshed only where LinkedIn
/// issued a refresh token (approved partners).
public struct LinkedInAdapter: TokenGrantingAdapter {
    /// July 2026, the latest Marketing API version when this was written
    /// (https://learn.microsoft.com/en-us/linkedin/marketing/versioning); each is served for at least a
    /// year, then answered 426. Override with the channel's `version:`.
    public static let defaultVersion = "202607"
    /// Refresh (where possible) this long before the token expires.
    public static let refreshMargin: TimeInterval = 7 * 86_400
    public static let scopes = "openid profile w_member_social"

    public init() {}

    // MARK: Delivery

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let channel = context.channel.name
        guard let author = context.channel.settings["author"], author.hasPrefix("urn:li:person:") || author.hasPrefix("urn:li:organization:") else {
            return .fail("channel '\(channel)': `author:` must be urn:li:person:ID (a member) or urn:li:organization:ID (a page)")
        }
        let token: String
        switch Self.credential(context.channel, secrets: context.secrets, session: context.session, now: now) {
        case .problem(let message): return .fail(message)
        case .refresh(let step): return .request(step)
        case .ready(let ready): token = ready
        }
        let base = Self.apiBase(context.channel.url)
        var images: [(id: String, alt: String?)] = []
        for (index, item) in context.media.enumerated() {
            let n = index + 1
            guard item.isImage else {
                return .fail("channel '\(channel)': \(item.file) is a video; crier posts images to LinkedIn (videos are not supported yet): post it without the video, or leave \(channel) out of `channels:`")
            }
            guard let image = progress.values["image[\(n)]"], let uploadURL = progress.values["upload[\(n)]"] else {
                var writer = JSONWriter()
                writer.raw("{\"initializeUploadRequest\":{\"owner\":")
                writer.string(author)
                writer.raw("}}")
                let request = OutgoingRequest(method: "POST", url: "\(base)/rest/images?action=initializeUpload",
                                              headers: headers(token: token, channel: context.channel) + [HTTPHeader("Content-Type", "application/json")],
                                              body: Data(writer.bytes), label: context.deliveryID)
                return .request(StepRequest(name: "init-image[\(n)]", request: request, repeatSafe: true))
            }
            if !progress.isDone("upload-image[\(n)]") {
                let bytes: Data
                do { bytes = try media.bytes(of: item) } catch { return .fail("channel '\(channel)': \(error.description)") }
                let request = OutgoingRequest(method: "PUT", url: uploadURL,
                                              headers: [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Content-Type", item.mimeType)],
                                              body: bytes, label: context.deliveryID)
                return .request(StepRequest(name: "upload-image[\(n)]", request: request, repeatSafe: true))
            }
            images.append((image, item.alt))
        }
        let request = OutgoingRequest(method: "POST", url: "\(base)/rest/posts",
                                      headers: headers(token: token, channel: context.channel) + [HTTPHeader("Content-Type", "application/json")],
                                      body: Self.postBody(author: author, commentary: context.text, images: images), label: context.deliveryID)
        return .request(StepRequest(name: "create", request: request, repeatSafe: false))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let channel = context.channel.name
        if step.name == "refresh" { return readRefresh(response, channel: channel, previous: context.session) }
        if response.status == 401 {
            return .sessionExpired("LinkedIn refused the access token of channel '\(channel)' (HTTP 401: \(Self.message(response)))")
        }
        if response.status == 426 {
            return .failed("LinkedIn no longer serves API version \(Self.version(context.channel)) (HTTP 426: \(Self.message(response))): set the channel's `version:` to a current one (YYYYMM, see https://learn.microsoft.com/en-us/linkedin/marketing/versioning)")
        }
        if response.status == 403 {
            return .failed("LinkedIn refused \(step.name) on channel '\(channel)' (HTTP 403: \(Self.message(response))): the token needs w_member_social (a member) or w_organization_social and an admin role on the page (an organization); run `crier auth \(channel)` again with them")
        }
        if let n = XAdapter.index(step.name, prefix: "init-image["), (200..<300).contains(response.status) {
            let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            let value = json?["value"] as? [String: Any]
            guard let image = value?["image"] as? String, let upload = value?["uploadUrl"] as? String else {
                return .failed("LinkedIn answered initializeUpload on channel '\(channel)' without an image URN and upload URL")
            }
            return .advanced(progress.completing(step.name, values: ["image[\(n)]": image, "upload[\(n)]": upload]))
        }
        if step.name.hasPrefix("upload-image["), (200..<300).contains(response.status) {
            return .advanced(progress.completing(step.name))
        }
        if step.name == "create" {
            if response.status == 201 || response.status == 200 {
                guard let urn = response.headers.value(for: "x-restli-id") ?? response.headers.value(for: "x-linkedin-id") else {
                    return .failed("LinkedIn answered the post of channel '\(channel)' without an x-restli-id header (HTTP \(response.status))")
                }
                return .sent(Self.reference(urn.removingPercentEncoding ?? urn))
            }
            if let existing = Self.duplicateOf(response) {
                // The same content is already on the account (an earlier try that went through):
                // that post is this delivery's.
                return .sent(Self.reference(existing))
            }
        }
        if (400..<500).contains(response.status), response.status != 408, response.status != 429 {
            return .failed("LinkedIn refused \(step.name) on channel '\(channel)' (HTTP \(response.status): \(Self.message(response)))")
        }
        return .standard
    }

    public func remoteReference(forURL url: String) -> RemoteReference {
        if let range = url.range(of: "urn:li:") {
            let urn = url[range.lowerBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return RemoteReference(id: String(urn).removingPercentEncoding ?? String(urn), url: url)
        }
        return RemoteReference(id: nil, url: url)
    }

    func readRefresh(_ response: TransportResponse, channel: String, previous: ChannelSession) -> StepAnswer {
        if response.status == 429 || response.status >= 500 { return .standard }
        switch OAuth2TokenAnswer.session(from: response, issuedAt: OAuth2TokenAnswer.date(of: response), previous: previous, platform: "LinkedIn") {
        case .success(let session): return .renewed(session)
        case .failure(let error): return .failed("\(error.message) for channel '\(channel)': run `crier auth \(channel)` to sign in again")
        }
    }

    // MARK: Probe

    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        let channel = context.channel.name
        if let name = values["name"] {
            let expiry = context.session.expiresAt.map { "; token expires \(TimestampFormat.string($0))" } ?? ""
            let renewal = expiry.isEmpty ? ""
                : context.session.values["refresh_token"] != nil ? " (refreshed automatically)" : " (run `crier auth \(channel) --token` with a new token before then)"
            return .ok("ok as \(name)\(expiry)\(renewal)")
        }
        switch Self.credential(context.channel, secrets: context.secrets, session: context.session, now: nil) {
        case .problem(let message): return .problem(message)
        case .refresh(let step): return .request(step)
        case .ready(let token):
            let request = OutgoingRequest(method: "GET", url: "\(Self.apiBase(context.channel.url))/v2/userinfo",
                                          headers: [HTTPHeader("Authorization", "Bearer \(token)")])
            return .request(StepRequest(name: "userinfo", request: request, repeatSafe: true))
        }
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        let channel = context.channel.name
        if step.name == "refresh" {
            if case .renewed(let session) = readRefresh(response, channel: channel, previous: context.session) { return .renewed(session) }
            return .problem("LinkedIn refused to refresh the token of channel '\(channel)': run `crier auth \(channel)`")
        }
        switch response.status {
        case 200:
            let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            return .advanced(["name": (json?["name"] as? String) ?? (json?["sub"] as? String) ?? "the token's member"])
        case 403:
            // A token with w_member_social only (no openid/profile) cannot read the member; it was
            // accepted, which is what matters.
            return .advanced(["name": "the token's member (it has no profile scope to say who)"])
        case 401:
            return .problem("LinkedIn refused the token of channel '\(channel)' (HTTP 401: \(Self.message(response))): it expired or was revoked; run `crier auth \(channel) --token NEW_TOKEN`")
        default:
            return .problem("LinkedIn answered GET /v2/userinfo for channel '\(channel)' with HTTP \(response.status): \(Self.message(response))")
        }
    }

    // MARK: Tokens (crier auth)

    public func authorizationURL(for context: ProbeContext, redirectURI: String, state: String, codeChallenge: String) -> String? {
        guard let clientID = context.channel.settings["client_id"] else { return nil }
        let scope = context.channel.settings["author"]?.hasPrefix("urn:li:organization:") == true
            ? "openid profile w_organization_social" : Self.scopes
        let query: [(String, String)] = [("response_type", "code"), ("client_id", clientID), ("redirect_uri", redirectURI),
                                         ("state", state), ("scope", scope)]
        return Self.oauthBase(context.channel.url) + "/oauth/v2/authorization?"
            + query.map { "\($0.0)=\(OAuth1Signature.percentEncode($0.1))" }.joined(separator: "&")
    }

    public func tokenRequest(code: String, codeVerifier: String, redirectURI: String, for context: ProbeContext) -> StepRequest {
        Self.tokenStep(name: "token", channel: context.channel, secrets: context.secrets,
                       form: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI)])
    }

    /// A pasted token is stored as it is: LinkedIn has no exchange for a longer one (member tokens
    /// already live 60 days).
    public func pastedSession(_ token: String, for context: ProbeContext, now: Date) -> ChannelSession {
        ChannelSession(values: ["access_token": token.trimmingCharacters(in: .whitespacesAndNewlines)])
    }

    public func readTokens(_ response: TransportResponse, for context: ProbeContext, now: Date) -> Result<ChannelSession, TokenGrantError> {
        OAuth2TokenAnswer.session(from: response, issuedAt: OAuth2TokenAnswer.date(of: response) ?? now, platform: "LinkedIn")
    }

    // MARK: Helpers

    enum Credential: Sendable {
        case ready(String)
        case refresh(StepRequest)
        case problem(String)
    }

    static func credential(_ channel: ChannelConfig, secrets: [String: Secret], session: ChannelSession, now: Date?) -> Credential {
        guard let token = session["access_token"] else {
            return .problem("channel '\(channel.name)' has no LinkedIn token yet: run `crier auth \(channel.name)` (or `crier auth \(channel.name) --token TOKEN` with a token from the LinkedIn developer portal's token generator)")
        }
        guard !session.isPlaceholder else { return .ready(token) }
        let expiring = session.expiresAt.map { expiry in now.map { expiry.timeIntervalSince($0) < refreshMargin } ?? false } ?? false
        guard session.needsRenewal || expiring else { return .ready(token) }
        guard let refresh = session["refresh_token"] else {
            if !session.needsRenewal { return .ready(token) }  // expiring soon, still valid: the lead's alert says so
            return .problem("LinkedIn refused the token of channel '\(channel.name)' (expired or revoked) and LinkedIn gave no refresh token: run `crier auth \(channel.name) --token NEW_TOKEN`")
        }
        return .refresh(tokenStep(name: "refresh", channel: channel, secrets: secrets,
                                           form: [("grant_type", "refresh_token"), ("refresh_token", refresh)], sessionStep: true))
    }

    /// LinkedIn's token endpoint takes the client credentials in the form.
    static func tokenStep(name: String, channel: ChannelConfig, secrets: [String: Secret], form: [(String, String)],
                          sessionStep: Bool = false) -> StepRequest {
        let all = form + [("client_id", channel.settings["client_id"] ?? ""), ("client_secret", secrets["client_secret"]?.value ?? "")]
        let request = OutgoingRequest(method: "POST", url: "\(oauthBase(channel.url))/oauth/v2/accessToken",
                                      headers: [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                                      body: OAuth2TokenAnswer.form(all), label: channel.name)
        return StepRequest(name: name, request: request, repeatSafe: true, sessionStep: sessionStep)
    }

    func headers(token: String, channel: ChannelConfig) -> [HTTPHeader] {
        [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("LinkedIn-Version", Self.version(channel)),
         HTTPHeader("X-Restli-Protocol-Version", "2.0.0")]
    }

    static func version(_ channel: ChannelConfig) -> String {
        channel.settings["version"] ?? defaultVersion
    }

    /// The Posts API body; `commentary` is already in the little text format (the renderer escapes it).
    static func postBody(author: String, commentary: String, images: [(id: String, alt: String?)]) -> Data {
        var writer = JSONWriter()
        writer.raw("{\"author\":")
        writer.string(author)
        writer.raw(",\"commentary\":")
        writer.string(commentary)
        if images.count == 1 {
            writer.raw(",\"content\":{\"media\":")
            image(images[0], into: &writer)
            writer.raw("}")
        } else if images.count > 1 {
            writer.raw(",\"content\":{\"multiImage\":{\"images\":")
            writer.array(images) { image($1, into: &$0) }
            writer.raw("}}")
        }
        writer.raw(",\"distribution\":{\"feedDistribution\":\"MAIN_FEED\",\"targetEntities\":[],\"thirdPartyDistributionChannels\":[]}")
        writer.raw(",\"isReshareDisabledByAuthor\":false,\"lifecycleState\":\"PUBLISHED\",\"visibility\":\"PUBLIC\"}")
        return Data(writer.bytes)
    }

    private static func image(_ image: (id: String, alt: String?), into writer: inout JSONWriter) {
        writer.raw("{")
        if let alt = image.alt {
            writer.raw("\"altText\":")
            writer.string(alt)
            writer.raw(",")
        }
        writer.raw("\"id\":")
        writer.string(image.id)
        writer.raw("}")
    }

    static func reference(_ urn: String) -> RemoteReference {
        RemoteReference(id: urn, url: "https://www.linkedin.com/feed/update/\(urn)/")
    }

    /// The URN in LinkedIn's duplicate answer: `"message": "… Content is a duplicate of urn:li:share:123"`
    /// (HTTP 422 `DUPLICATE_POST`; some versions answer 400).
    static func duplicateOf(_ response: TransportResponse) -> String? {
        guard response.status == 422 || response.status == 400 || response.status == 409 else { return nil }
        let text = String(decoding: response.body, as: UTF8.self)
        guard let marker = text.range(of: "duplicate of ", options: .caseInsensitive) else { return nil }
        let urn = text[marker.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == ":" || $0 == "_" || $0 == "-" }
        return urn.hasPrefix("urn:li:") ? String(urn) : nil
    }

    static func message(_ response: TransportResponse) -> String {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        if let message = json["message"] as? String { return ReceiverMessage.clip(message) }
        if let error = json["error_description"] as? String ?? json["error"] as? String { return ReceiverMessage.clip(error) }
        return ReceiverMessage.summary(of: response)
    }

    static func apiBase(_ url: String) -> String {
        XAdapter.apiBase(url)
    }

    /// Where OAuth lives: www.linkedin.com for the real API, the channel's `url` otherwise (a fake).
    static func oauthBase(_ url: String) -> String {
        let base = apiBase(url)
        return base == "https://api.linkedin.com" ? "https://www.linkedin.com" : base
    }
}
