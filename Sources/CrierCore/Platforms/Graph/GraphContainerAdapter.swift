import Foundation

/// Threads and Instagram: posts go through a media container. The steps of one part:
///
/// 1. `refresh-token` (a session step) when the long-lived token has under 30 days left and is at
///    least a day old (`GraphToken`);
/// 2. `quota`: the publishing quota (`GET /{user}/<quota edge>`); used up → held until the rolling
///    24-hour window has room;
/// 3. `check-media[n]`: a `HEAD` of each media URL (`GraphMediaCheck`);
/// 4. `create-item[n]` for the children of a carousel, then `create`: containers, invisible until
///    published, so safe to repeat (a lost answer leaves an unused container that expires in 24 h);
/// 5. `poll`: the container's status until `FINISHED` (`IN_PROGRESS` is asked again after
///    `poll_interval`, default 60 s as Meta advises; `EXPIRED` makes a new container; `ERROR` fails);
/// 6. `publish` — **not** safe to repeat (no idempotency key). Its container id is journaled before
///    it goes; when its answer is lost, `reconcile` reads the container's status: `PUBLISHED` means it
///    is out (never posted again), `FINISHED` means it is not (published again);
/// 7. `permalink` (or `find`, after a reconciled publish: the newest post with this text) for the
///    receipt's id and URL.
public struct GraphContainerAdapter: TokenGrantingAdapter {
    public var dialect: GraphContainerDialect

    public init(dialect: GraphContainerDialect) {
        self.dialect = dialect
    }

    /// Meta's advice: query a container's status once per minute, for no more than 5 minutes
    /// (https://developers.facebook.com/docs/threads/troubleshooting).
    public static let defaultPollInterval: TimeInterval = 60

    public static func pollInterval(_ channel: ChannelConfig) -> TimeInterval {
        channel.settings["poll_interval"].flatMap(DurationParser.seconds) ?? defaultPollInterval
    }

    private func errors(_ context: DeliveryContext) -> GraphErrorAnswer {
        GraphErrorAnswer(platform: dialect.name, channel: context.channel.name, post: context.post.id,
                         pollInterval: Self.pollInterval(context.channel), newTokenHint: authHint(context.channel.name))
    }

    private func authHint(_ channel: String) -> String {
        "get a new token and run `crier auth \(channel) --token TOKEN`"
    }

    private func get(_ name: String, _ url: String, token: String) -> StepRequest {
        StepRequest(name: name, request: OutgoingRequest(method: "GET", url: url, headers: [HTTPHeader("Authorization", "Bearer \(token)")]),
                    repeatSafe: true)
    }

    private func post(_ name: String, _ url: String, form: GraphForm, token: String, repeatSafe: Bool) -> StepRequest {
        StepRequest(name: name, request: OutgoingRequest(method: "POST", url: url, headers: [
            HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
        ], body: form.body), repeatSafe: repeatSafe)
    }

    // MARK: - Delivery

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, now: Date) -> AdapterStep {
        let channel = context.channel.name
        let endpoint = GraphEndpoint(channelURL: context.channel.url)
        guard let userID = context.channel.settings["user_id"] else {
            return .fail("channel '\(channel)': `user_id` is missing (the \(dialect.name) account's numeric id)")
        }
        if let interval = context.channel.settings["poll_interval"], DurationParser.seconds(interval) == nil {
            return .fail("channel '\(channel)': `poll_interval: \(interval)` is not a duration; write e.g. 60s or 1m")
        }
        let session = context.session
        guard let token = session["access_token"] else {
            return .fail("channel '\(channel)' has no \(dialect.name) token yet: \(authHint(channel)) (a short-lived token is "
                         + "exchanged for a 60-day one that crier refreshes by itself)")
        }
        if GraphToken.wantsRefresh(session, now: now) {
            return .request(GraphToken.refreshStep(endpoint, grantType: dialect.refreshGrant, token: token))
        }
        if !session.isPlaceholder, let expiresAt = session.expiresAt, expiresAt <= now {
            return .fail("channel '\(channel)': the \(dialect.name) token expired on \(GraphToken.day(expiresAt)); \(authHint(channel)), "
                         + "then `crier retry \(context.post.id) --channel \(channel)`")
        }
        if progress.uncertainStep == "publish", let container = progress.values["container"] {
            return .request(statusStep("reconcile", container: container, endpoint: endpoint, token: token))
        }
        if let reason = progress.values["container_error"] { return .fail(reason) }
        if progress.isDone("publish") {
            if let mediaID = progress.values["media_id"] {
                return .request(get("permalink", endpoint.url(mediaID, query: GraphForm([("fields", "permalink")])), token: token))
            }
            return .request(findStep(context, userID: userID, endpoint: endpoint, token: token))
        }

        // A thread's media go with its first part.
        let items = context.part == 1 ? context.media : []
        if items.isEmpty, dialect.textMediaType == nil {
            return .fail("channel '\(channel)': \(dialect.name) posts need an image or video, and this post has none: add `media:` "
                         + "or leave \(channel) out of its `channels:`")
        }
        if let missing = GraphMediaCheck.missingBaseURL(items, channel: channel, platform: dialect.name) { return .fail(missing) }
        if items.count > 1, !dialect.carouselRange.contains(items.count) {
            return .fail("channel '\(channel)': a \(dialect.name) carousel takes \(dialect.carouselRange.lowerBound)–"
                         + "\(dialect.carouselRange.upperBound) items; this post has \(items.count)")
        }
        if let item = items.first(where: { !$0.isImage && !$0.isVideo }) {
            return .fail("channel '\(channel)': \(item.file) is \(item.mimeType); \(dialect.name) takes images and videos")
        }
        var replyTo: String?
        if dialect.threads, context.part > 1 {
            if let id = context.replyTo?.id ?? progress.values["reply_to"] {
                replyTo = id
            } else if let url = context.replyTo?.url {
                // Settled by `crier resolve --sent URL`: the URL names the post, the reply needs its id.
                return .request(parentStep(context, url: url, userID: userID, endpoint: endpoint, token: token))
            } else {
                return .fail("channel '\(channel)': part \(context.part) replies to part \(context.part - 1), whose \(dialect.name) id "
                             + "crier does not know; resolve it with the post's URL (`crier resolve \(context.post.id) --channel \(channel) --sent URL`)")
            }
        }
        if !progress.isDone("quota") {
            return .request(quotaStep(userID: userID, endpoint: endpoint, token: token, reply: replyTo != nil))
        }
        for (offset, item) in items.enumerated() where !progress.isDone("check-media[\(offset + 1)]") {
            return .request(GraphMediaCheck.step(item, index: offset + 1))
        }
        let createURL = endpoint.url("\(userID)/\(dialect.createEdge)")
        var children: [String] = []
        if items.count > 1 {
            for (offset, item) in items.enumerated() {
                guard let child = progress.values["item[\(offset + 1)]"] else {
                    var form = mediaForm(item, video: "VIDEO")
                    form.add("is_carousel_item", "true")
                    return .request(post("create-item[\(offset + 1)]", createURL, form: form, token: token, repeatSafe: true))
                }
                children.append(child)
            }
        }
        guard let container = progress.values["container"] else {
            var form: GraphForm
            if items.count > 1 {
                form = GraphForm([("media_type", "CAROUSEL"), ("children", children.joined(separator: ","))])
            } else if let item = items.first {
                form = mediaForm(item, video: dialect.singleVideoType)
            } else {
                form = GraphForm([("media_type", dialect.textMediaType ?? "TEXT")])
            }
            if !context.text.isEmpty { form.add(dialect.textField, context.text) }
            form.add("reply_to_id", replyTo)
            return .request(post("create", createURL, form: form, token: token, repeatSafe: true))
        }
        if !progress.isDone("poll") {
            return .request(statusStep("poll", container: container, endpoint: endpoint, token: token))
        }
        return .request(post("publish", endpoint.url("\(userID)/\(dialect.publishEdge)"), form: GraphForm([("creation_id", container)]),
                             token: token, repeatSafe: false))
    }

    /// `media_type`, the URL and the alt text of one item.
    private func mediaForm(_ item: MediaItem, video: String) -> GraphForm {
        var form = GraphForm()
        if item.isVideo {
            form.add("media_type", video)
            form.add("video_url", item.publicURL)
        } else {
            form.add("media_type", dialect.imageMediaType)
            form.add("image_url", item.publicURL)
        }
        form.add("alt_text", item.alt)
        return form
    }

    private func statusStep(_ name: String, container: String, endpoint: GraphEndpoint, token: String) -> StepRequest {
        let fields = dialect.statusField == "status" ? "status,error_message" : "\(dialect.statusField),status"
        return get(name, endpoint.url(container, query: GraphForm([("fields", fields)])), token: token)
    }

    private func quotaStep(userID: String, endpoint: GraphEndpoint, token: String, reply: Bool) -> StepRequest {
        let fields = reply && dialect.replyQuota ? "reply_quota_usage,reply_config" : "quota_usage,config"
        return get("quota", endpoint.url("\(userID)/\(dialect.quotaEdge)", query: GraphForm([("fields", fields)])), token: token)
    }

    private func findStep(_ context: DeliveryContext, userID: String, endpoint: GraphEndpoint, token: String) -> StepRequest {
        let edge = context.part > 1 ? (dialect.replyListEdge ?? dialect.createEdge) : dialect.createEdge
        return get("find", endpoint.url("\(userID)/\(edge)", query: GraphForm([("fields", "id,permalink,\(dialect.textField)"), ("limit", "25")])),
                   token: token)
    }

    /// The account's latest posts (part 2 replies to the root) or replies, to find the parent's id by its URL.
    private func parentStep(_ context: DeliveryContext, url: String, userID: String, endpoint: GraphEndpoint, token: String) -> StepRequest {
        let edge = context.part > 2 ? (dialect.replyListEdge ?? dialect.createEdge) : dialect.createEdge
        return get("find-parent", endpoint.url("\(userID)/\(edge)", query: GraphForm([("fields", "id,permalink"), ("limit", "50")])), token: token)
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let errors = errors(context)
        let name = step.name
        if name == "refresh-token" {
            return readRefresh(response, context: context, errors: errors)
        }
        if name.hasPrefix("check-media["), let index = Self.index(in: name), index <= context.media.count {
            return GraphMediaCheck.read(response, item: context.media[index - 1], channel: context.channel.name, progress: progress,
                                        stepName: name)
        }
        guard (200..<300).contains(response.status) else {
            switch name {
            case "permalink":
                // The post is out: a receipt without its URL is better than a repeat.
                return .sent(RemoteReference(id: progress.values["media_id"], url: nil))
            case "find" where !(500..<600).contains(response.status):
                return .sent(nil)
            default:
                return errors.answer(response, step: name)
            }
        }
        switch name {
        case "quota":
            return readQuota(response, context: context, progress: progress, errors: errors)
        case "create":
            guard let id = GraphJSON.id(response.body) else { return missingID(step: name) }
            return .advanced(progress.completing(name, values: ["container": id]))
        case "poll", "reconcile":
            return readStatus(response, step: name, context: context, progress: progress)
        case "publish":
            guard let id = GraphJSON.id(response.body) else {
                // Published (2xx) without an id: the container's status and the post list say which.
                return .advanced(progress.completing(name))
            }
            return .advanced(progress.completing(name, values: ["media_id": id]))
        case "permalink":
            let permalink = GraphJSON.object(response.body).flatMap { GraphJSON.string($0["permalink"]) }
            return .sent(RemoteReference(id: progress.values["media_id"], url: permalink))
        case "find-parent":
            let url = context.replyTo?.url ?? ""
            guard let parent = GraphJSON.data(response.body).first(where: { GraphJSON.string($0["permalink"]) == url }),
                  let id = GraphJSON.string(parent["id"]) else {
                return .failed("channel '\(context.channel.name)': part \(context.part) replies to \(url), which is not among the "
                               + "account's latest \(dialect.name) posts; check the URL given to `crier resolve`")
            }
            return .advanced(progress.completing(name, values: ["reply_to": id]))
        case "find":
            let match = GraphJSON.data(response.body).first { GraphJSON.string($0[dialect.textField]) == context.text }
            return .sent(match.map { RemoteReference(id: GraphJSON.string($0["id"]), url: GraphJSON.string($0["permalink"])) })
        default:
            if name.hasPrefix("create-item["), let index = Self.index(in: name) {
                guard let id = GraphJSON.id(response.body) else { return missingID(step: name) }
                return .advanced(progress.completing(name, values: ["item[\(index)]": id]))
            }
            return .standard
        }
    }

    private func missingID(step: String) -> StepAnswer {
        .retry("\(step): \(dialect.name) answered without an id", after: nil)
    }

    private func readRefresh(_ response: TransportResponse, context: DeliveryContext, errors: GraphErrorAnswer) -> StepAnswer {
        if (200..<300).contains(response.status) {
            // A step's reader has no clock: the answer's Date header says when the token was issued.
            let issued = GraphToken.answeredAt(response)
            guard var session = GraphToken.session(from: response, now: issued ?? Date(timeIntervalSince1970: 0)) else {
                return .retry("refresh-token: \(dialect.name) answered without a token", after: nil)
            }
            if issued == nil {
                session.expiresAt = nil
                session.values["issued_at"] = nil
            }
            return .renewed(session)
        }
        if let error = GraphError.parse(response.body), error.isTokenRefused {
            return .failed("channel '\(context.channel.name)': crier could not refresh the \(dialect.name) token: \(error.tokenRefusal) "
                           + "(\(error)); \(authHint(context.channel.name))")
        }
        return errors.answer(response, step: "refresh-token")
    }

    private func readQuota(_ response: TransportResponse, context: DeliveryContext, progress: DeliveryProgress,
                           errors: GraphErrorAnswer) -> StepAnswer {
        guard let quota = GraphQuota(response.body, reply: dialect.replyQuota && context.part > 1) else {
            // An answer crier cannot read does not stop the post: the publish answer still guards the quota.
            return .advanced(progress.completing("quota"))
        }
        if quota.isExhausted {
            return .retry(errors.quotaExhausted(detail: "\(quota.usage) of \(quota.total) \(quota.noun) in the last \(quota.window)",
                                                answeredAt: GraphToken.answeredAt(response)),
                          after: TimeInterval(quota.durationSeconds))
        }
        return .advanced(progress.completing("quota"))
    }

    private func readStatus(_ response: TransportResponse, step: String, context: DeliveryContext, progress: DeliveryProgress) -> StepAnswer {
        let object = GraphJSON.object(response.body) ?? [:]
        let status = ReceiverMessage.clip(GraphJSON.string(object[dialect.statusField]) ?? GraphJSON.string(object["status"]) ?? "")
        let container = progress.values["container"] ?? "?"
        switch status {
        case "FINISHED":
            // Ready, and (for a reconcile) not published: publishing it is safe.
            return .advanced(progress.completing(step))
        case "PUBLISHED":
            return .advanced(progress.completing(step).completing("publish"))
        case "IN_PROGRESS":
            return .retry("container \(container) is still being processed (IN_PROGRESS)", after: Self.pollInterval(context.channel))
        case "EXPIRED":
            // Not published within 24 hours: a new container.
            var next = progress.completing(step)
            next.values = next.values.filter { $0.key != "container" && !$0.key.hasPrefix("item[") }
            next.done.removeAll { $0 == "create" || $0 == "poll" || $0 == "reconcile" || $0.hasPrefix("create-item[") }
            return .advanced(next)
        case "ERROR":
            let message = ReceiverMessage.clip(GraphJSON.string(object["error_message"]) ?? GraphJSON.string(object["status"]) ?? "no reason given")
            let hint = message.hasPrefix("FAILED_DOWNLOADING") || message.contains("download")
                ? "; check that the media are reachable at `media_base_url` from the internet" : ""
            return .advanced(progress.completing(step, values: [
                "container_error": "channel '\(context.channel.name)': \(dialect.name) could not process container \(container): \(message)\(hint)",
            ]))
        default:
            return .retry("container \(container): \(dialect.name) answered an unknown status '\(status)'", after: Self.pollInterval(context.channel))
        }
    }

    /// `3` in `check-media[3]`.
    static func index(in name: String) -> Int? {
        guard let open = name.firstIndex(of: "["), let close = name.lastIndex(of: "]"), open < close else { return nil }
        return Int(name[name.index(after: open)..<close])
    }

    /// A `crier resolve --sent URL` URL's last path segment is a shortcode, not the media id a reply needs.
    public func remoteReference(forURL url: String) -> RemoteReference {
        RemoteReference(id: nil, url: url)
    }

    // MARK: - crier check --online

    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        let channel = context.channel.name
        guard let userID = context.channel.settings["user_id"] else { return .problem("`user_id` is missing") }
        guard let token = context.session["access_token"] else {
            return .problem("no \(dialect.name) token yet: \(authHint(channel))")
        }
        let endpoint = GraphEndpoint(channelURL: context.channel.url)
        guard let username = values["username"] else {
            return .request(get("me", endpoint.url("me", query: GraphForm([("fields", "id,username")])), token: token))
        }
        guard values["quota"] != nil else {
            return .request(quotaStep(userID: userID, endpoint: endpoint, token: token, reply: false))
        }
        var message = "ok as @\(username); \(values["quota"] ?? "")"
        if let expiresAt = context.session.expiresAt {
            message += "; token expires \(GraphToken.day(expiresAt)) (refreshed automatically when crier posts in its last 30 days)"
        }
        return .ok(message)
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        let channel = context.channel.name
        guard (200..<300).contains(response.status) else {
            if let error = GraphError.parse(response.body) {
                if error.isTokenRefused {
                    return .problem("\(dialect.name) refused the access token: \(error.tokenRefusal) (\(error)); \(authHint(channel))")
                }
                return .problem("\(dialect.name) answered \(step.name) with HTTP \(response.status): \(error)")
            }
            return .problem("\(dialect.name) answered \(step.name) with HTTP \(response.status)")
        }
        switch step.name {
        case "me":
            let object = GraphJSON.object(response.body) ?? [:]
            let id = GraphJSON.string(object["id"]) ?? ""
            let username = GraphJSON.string(object["username"]) ?? id
            if let userID = context.channel.settings["user_id"], !id.isEmpty, id != userID {
                return .problem("the token belongs to @\(username) (id \(id)), but `user_id` is \(userID); set `user_id: \"\(id)\"`")
            }
            return .advanced(["username": username])
        case "quota":
            guard let quota = GraphQuota(response.body, reply: false) else { return .advanced(["quota": "publishing quota not reported"]) }
            return .advanced(["quota": "\(quota.usage) of \(quota.total) \(quota.noun) used in the last \(quota.window)"])
        default:
            return .problem("unexpected probe step \(step.name)")
        }
    }

    // MARK: - crier auth

    /// Meta's authorization dialogs redirect only to URLs registered in the app's dashboard, so crier
    /// takes pasted tokens (`crier auth CHANNEL --token TOKEN`) and exchanges them.
    public func authorizationURL(for context: ProbeContext, redirectURI: String, state: String, codeChallenge: String) -> String? {
        nil
    }

    /// `POST …/oauth/access_token` with the app's id and secret, for a code from Meta's dialog.
    public func tokenRequest(code: String, codeVerifier: String, redirectURI: String, for context: ProbeContext) -> StepRequest {
        let form = GraphForm([("client_id", context.channel.settings["client_id"] ?? ""),
                              ("client_secret", context.secrets["client_secret"]?.value ?? ""),
                              ("grant_type", "authorization_code"), ("redirect_uri", redirectURI), ("code", code)])
        return StepRequest(name: "token", request: OutgoingRequest(method: "POST", url: dialect.codeTokenURL, headers: [
            HTTPHeader("Content-Type", "application/x-www-form-urlencoded"),
        ], body: form.body), repeatSafe: true, sessionStep: true)
    }

    /// A pasted short-lived token is exchanged for a 60-day one with the app secret.
    public func exchangeRequest(pastedToken: String, for context: ProbeContext) -> StepRequest? {
        GraphToken.exchangeStep(GraphEndpoint(channelURL: context.channel.url), grantType: dialect.exchangeGrant,
                                clientSecret: context.secrets["client_secret"]?.value ?? "", token: pastedToken)
    }

    public func readTokens(_ response: TransportResponse, for context: ProbeContext, now: Date) -> Result<ChannelSession, TokenGrantError> {
        if let session = GraphToken.session(from: response, now: now) { return .success(session) }
        let detail = GraphError.parse(response.body).map { "\($0)" } ?? "HTTP \(response.status)"
        return .failure(TokenGrantError("\(dialect.name) did not exchange the token: \(detail); paste a fresh short-lived user token "
                                        + "(with the publishing permission) and check the channel's `client_secret` (the app secret)"))
    }
}
