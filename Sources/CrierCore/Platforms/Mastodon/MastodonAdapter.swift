import Foundation

/// Mastodon (and servers that speak its client API), as a step machine:
///
/// 1. `upload-media[i]` for each image or video: `POST /api/v2/media` with the alt text. A 202
///    means the server is still processing it; then `media-status[i]` polls `GET /api/v1/media/:id`
///    (206: wait, with a growing pause; 200: ready; 422: failed). Each media id is journaled, so a
///    restart never uploads again.
/// 2. `create`: `POST /api/v1/statuses` with `Idempotency-Key` = the delivery id, so a retry after
///    a lost answer returns the first status instead of posting twice; safe to repeat. Later parts
///    of a thread reply to the previous part (`in_reply_to_id`). A 422 because media are not ready
///    yet is retried; other refusals are permanent with the server's message.
public struct MastodonAdapter: PlatformAdapter {
    /// The `visibility` values Mastodon takes.
    public static let visibilities = ["public", "unlisted", "private", "direct"]

    public init() {}

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let channel = context.channel
        let requests = MastodonRequests(instance: channel.url, token: context.secrets["token"]?.value, label: context.deliveryID)
        if progress.isStart, let problem = MastodonInstanceLimits(session: context.session).problem(in: context) {
            return .fail(problem)
        }
        let items = context.part == 1 ? context.media : []
        for (offset, item) in items.enumerated() {
            let index = offset + 1
            guard let id = progress.values["media[\(index)]"] else {
                let data: Data
                do {
                    data = try media.bytes(of: item)
                } catch {
                    return .fail("channel '\(channel.name)': \(error.description)")
                }
                guard let request = requests.uploadMedia(file: item.file, mimeType: item.mimeType, data: data, description: item.alt,
                                                         boundarySeed: "\(context.deliveryID)-\(index)") else {
                    return .fail("channel '\(channel.name)': \(item.file) cannot be sent as multipart form data")
                }
                return .request(StepRequest(name: "upload-media[\(index)]", request: request, repeatSafe: true))
            }
            if progress.values["media[\(index)].ready"] == nil {
                return .request(StepRequest(name: "media-status[\(index)]", request: requests.mediaStatus(id: id), repeatSafe: true))
            }
        }
        if context.part > 1, context.replyTo?.id == nil {
            return .fail("channel '\(channel.name)': part \(context.part) has nothing to reply to: part \(context.part - 1) has no status id")
        }
        if let visibility = channel.settings["visibility"], !Self.visibilities.contains(visibility) {
            return .fail("channel '\(channel.name)': visibility '\(visibility)' is not one of \(Self.visibilities.joined(separator: ", "))")
        }
        let draft = MastodonStatusDraft(
            status: context.text,
            mediaIDs: items.indices.compactMap { progress.values["media[\($0 + 1)]"] },
            inReplyToID: context.part > 1 ? context.replyTo?.id : nil,
            visibility: channel.settings["visibility"],
            sensitive: channel.settings["sensitive"].map { ["true", "yes", "1"].contains($0.lowercased()) },
            spoilerText: context.post.contentWarning,
            language: context.post.language ?? channel.settings["language"])
        return .request(StepRequest(name: "create", request: requests.createStatus(draft, idempotencyKey: context.deliveryID), repeatSafe: true))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let channel = context.channel.name
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        if let index = Self.index(in: step.name, prefix: "upload-media") {
            let file = context.media.indices.contains(index - 1) ? context.media[index - 1].file : "media[\(index)]"
            guard response.status == 200 || response.status == 202 else {
                return MastodonErrorReader.answer(response, channel: channel, what: file, replyTo: nil)
            }
            guard let id = Self.string(json["id"]) else { return .failed("channel '\(channel)': the answer to the upload of \(file) has no media id") }
            var values = ["media[\(index)]": id]
            if response.status == 200 { values["media[\(index)].ready"] = "1" }
            return .advanced(progress.completing(step.name, values: values))
        }
        if let index = Self.index(in: step.name, prefix: "media-status") {
            let file = context.media.indices.contains(index - 1) ? context.media[index - 1].file : "media[\(index)]"
            switch response.status {
            case 200:
                return .advanced(progress.completing(step.name, values: ["media[\(index)].ready": "1"]))
            case 206:
                return .retry("\(file) is still being processed by channel '\(channel)''s instance", after: Self.pollWait(afterTries: progress.stepAttempts))
            case 422:
                return .failed("HTTP 422: \(MastodonErrorReader.message(response)) — channel '\(channel)''s instance could not process \(file): "
                    + "convert it (e.g. to MP4/H.264 or PNG) and `crier retry` the post")
            default:
                return MastodonErrorReader.answer(response, channel: channel, what: file, replyTo: nil)
            }
        }
        // create
        if response.status == 200 {
            let id = Self.string(json["id"])
            let url = (json["url"] as? String) ?? (json["uri"] as? String)
            return .sent(id == nil && url == nil ? nil : RemoteReference(id: id, url: url))
        }
        if MastodonErrorReader.isMediaNotReady(response) {
            return .retry("HTTP 422: \(MastodonErrorReader.message(response)) (media still processing on channel '\(channel)')", after: 5)
        }
        return MastodonErrorReader.answer(response, channel: channel, what: "the post", replyTo: context.part > 1 ? context.replyTo?.id : nil)
    }

    /// `crier check --online`: `verify_credentials` (who the token belongs to), then the instance's
    /// limits (`GET /api/v2/instance`), kept in the channel's session; "ok as @acct (limits)".
    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        let requests = MastodonRequests(instance: context.channel.url, token: context.secrets["token"]?.value, label: "check")
        guard context.secrets["token"] != nil else { return .problem("no token secret") }
        guard let account = values["acct"] else {
            return .request(StepRequest(name: "verify-credentials", request: requests.verifyCredentials(), repeatSafe: true))
        }
        // The limits are read once per check: the session the runner stored after reading them
        // has a newer generation than the one the check started with.
        if values["generation"] == String(context.session.generation) {
            return .request(StepRequest(name: "instance", request: requests.instance(), repeatSafe: true, sessionStep: true))
        }
        return .ok("ok as @\(account) (instance limits: \(MastodonInstanceLimits(session: context.session).summary))")
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        let said = MastodonErrorReader.message(response)
        if step.name == "verify-credentials" {
            let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
            if response.status == 200, let account = json["acct"] as? String {
                return .advanced(["acct": account, "generation": String(context.session.generation)])
            }
            switch response.status {
            case 401: return .problem("HTTP 401: \(said) — the token is revoked or mistyped: create an access token with write:statuses and write:media")
            case 403: return .problem("HTTP 403: \(said) — the account is suspended or not approved, or the token lacks a scope")
            case 404: return .problem("HTTP 404 — no Mastodon API at \(context.channel.url): check `url:` (the instance root)")
            default: return .problem("HTTP \(response.status): \(said)")
            }
        }
        guard response.status == 200 else { return .problem("reading the instance's limits: HTTP \(response.status): \(said)") }
        var session = context.session
        for name in MastodonInstanceLimits.names { session.values[name] = nil }
        session.values.merge(MastodonInstanceLimits(instanceJSON: response.body).sessionValues) { $1 }
        return .renewed(session)
    }

    /// How long to wait before asking again whether an upload is processed: 2 s, doubling, at most
    /// a minute. The channel's `max_attempts` bounds the number of tries (the deadline).
    static func pollWait(afterTries tries: Int) -> TimeInterval {
        min(60, 2 * pow(2, Double(min(max(tries, 0), 10))))
    }

    /// `3` from `upload-media[3]`.
    static func index(in name: String, prefix: String) -> Int? {
        guard name.hasPrefix(prefix + "["), name.hasSuffix("]") else { return nil }
        return Int(name.dropFirst(prefix.count + 1).dropLast())
    }

    static func string(_ value: Any?) -> String? {
        (value as? String) ?? (value as? NSNumber)?.stringValue
    }
}
