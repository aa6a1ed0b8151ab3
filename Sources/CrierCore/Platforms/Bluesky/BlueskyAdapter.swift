import Foundation

/// Bluesky (AT Protocol) as a step machine, on a session kept in crier's journal:
///
/// - **Session steps** (`create-session`, `refresh-session`, `resolve-handle`): log in once
///   (`com.atproto.server.createSession`), keep `accessJwt`/`refreshJwt`/`did` in the channel's
///   `ChannelSession`, refresh when the access token expires or is refused as `ExpiredToken`, and
///   log in again only when the refresh token is dead. Mentioned handles are resolved to DIDs once
///   and cached in the session (an unknown handle stays plain text).
/// - `upload-blob[i]` for each image (`com.atproto.repo.uploadBlob`), and `upload-thumb` for a link
///   card's image; each blob ref is journaled, so a restart never uploads again.
/// - `lookup-root`/`lookup-parent` (`getRecord`): the CIDs a reply needs, for parts 2…n.
/// - `create`: `com.atproto.repo.createRecord` with a record key derived from the delivery
///   (`BlueskyRecordKey`), so no second post can ever be made under it. Not repeat-safe in crier's
///   sense (a repeat of a create that went through is refused by the PDS, and tells nothing), so a
///   lost answer is followed by `reconcile`: `getRecord` of that key — found: sent, with its uri and
///   cid; not found: created again under the same key.
public struct BlueskyAdapter: PlatformAdapter {
    /// app.bsky.embed.images: at most 4 images, each at most 2,000,000 bytes.
    public static let maxImages = 4
    public static let maxImageBytes = 2_000_000

    public init() {}

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let channel = context.channel
        let session = context.session
        let requests = BlueskyRequests(pds: channel.url, label: context.deliveryID)
        guard let handle = channel.settings["handle"] else {
            return .fail("channel '\(channel.name)': needs `handle:` (the account's handle, e.g. crier.bsky.social)")
        }
        // The session.
        let expired = session.expiresAt.map { $0 <= now.addingTimeInterval(60) } ?? false
        if session["access_token"] == nil || session["did"] == nil || session.needsRenewal || expired {
            if let refresh = session["refresh_token"], session["access_token"] != nil {
                return .request(StepRequest(name: "refresh-session", request: requests.refreshSession(refreshToken: refresh),
                                            repeatSafe: true, sessionStep: true))
            }
            let password = context.secrets["app_password"]?.value ?? ""
            return .request(StepRequest(name: "create-session", request: requests.createSession(identifier: handle, password: password),
                                        repeatSafe: true, sessionStep: true))
        }
        guard let access = session["access_token"], let did = session["did"] else { return .fail("channel '\(channel.name)': no session") }
        // Mentions → DIDs, cached in the session.
        for facet in context.rendered.facets {
            guard case .mention(let mentioned) = facet.feature else { continue }
            if session[Self.didKey(mentioned)] == nil {
                return .request(StepRequest(name: "resolve-handle", request: requests.resolveHandle(mentioned), repeatSafe: true,
                                            sessionStep: true))
            }
        }
        // The key is journaled with the create (`remember`): an edit of the post's time after a try
        // must not name a new record, or a lost answer could become a second post.
        let rkey = progress.values["rkey"] ?? BlueskyRecordKey.tid(deliveryID: context.deliveryID, scheduledAt: context.scheduledAt, part: context.part)
        let own = BlueskyPostLink(did: did, rkey: rkey)
        if progress.uncertainStep == "create" {
            return .request(StepRequest(name: "reconcile", request: requests.getRecord(own, accessToken: access), repeatSafe: true))
        }
        // Images (part 1 only), or a link card's image.
        if context.part == 1, let video = context.media.first(where: { !$0.isImage }) {
            return .fail("channel '\(channel.name)': \(video.file) is not an image; crier sends only images to Bluesky in this version "
                + "(videos go through video.bsky.app): remove it, or leave \(channel.name) out of `channels:`")
        }
        let images = context.part == 1 ? context.media.filter(\.isImage) : []
        if images.count > Self.maxImages {
            return .fail("channel '\(channel.name)': \(images.count) images; Bluesky takes at most \(Self.maxImages) per post: remove some, or leave \(channel.name) out of `channels:`")
        }
        for (offset, item) in images.enumerated() where progress.values["blob[\(offset + 1)]"] == nil {
            if item.byteCount > Self.maxImageBytes {
                return .fail("channel '\(channel.name)': \(item.file) is \(item.byteCount) bytes; Bluesky takes images up to \(Self.maxImageBytes) bytes: make it smaller")
            }
            do {
                let data = try media.bytes(of: item)
                return .request(StepRequest(name: "upload-blob[\(offset + 1)]",
                                            request: requests.uploadBlob(data, mimeType: item.mimeType, accessToken: access), repeatSafe: true))
            } catch {
                return .fail("channel '\(channel.name)': \(error.description)")
            }
        }
        let card = context.part == 1 && images.isEmpty && context.post.link != nil ? context.post.card : nil
        if let image = card?.image, progress.values["thumb"] == nil {
            do {
                let data = try media.bytes(of: MediaItem(file: image, alt: nil, byteCount: 0, mimeType: MediaSniffer.unknownType))
                let type = MediaSniffer.sniff(data).mimeType
                guard type.hasPrefix("image/"), data.count <= 1_000_000 else {
                    return .fail("channel '\(channel.name)': card image \(image) must be an image of at most 1,000,000 bytes (app.bsky.embed.external thumb)")
                }
                return .request(StepRequest(name: "upload-thumb", request: requests.uploadBlob(data, mimeType: type, accessToken: access), repeatSafe: true))
            } catch {
                return .fail("channel '\(channel.name)': \(error.description)")
            }
        }
        // Reply refs.
        var root: BlueskyPostRecord.StrongRef?
        var parent: BlueskyPostRecord.StrongRef?
        if context.part > 1 {
            guard let rootLink = Self.link(context.threadRoot), let parentLink = Self.link(context.replyTo) else {
                return .fail("channel '\(channel.name)': part \(context.part) has nothing to reply to: an earlier part has no Bluesky post link "
                    + "(a part settled with `crier resolve --sent` needs its at:// URI or a bsky.app link with the DID, /profile/did:plc:…/post/…)")
            }
            guard let rootCID = progress.values["root.cid"] else {
                return .request(StepRequest(name: "lookup-root", request: requests.getRecord(rootLink, accessToken: access), repeatSafe: true))
            }
            guard let parentCID = rootLink == parentLink ? rootCID : progress.values["parent.cid"] else {
                return .request(StepRequest(name: "lookup-parent", request: requests.getRecord(parentLink, accessToken: access), repeatSafe: true))
            }
            root = .init(uri: rootLink.atURI, cid: rootCID)
            parent = .init(uri: parentLink.atURI, cid: parentCID)
        }
        var dids: [String: String] = [:]
        for facet in context.rendered.facets {
            if case .mention(let mentioned) = facet.feature, let found = session[Self.didKey(mentioned)], found.hasPrefix("did:") {
                dids[mentioned.lowercased()] = found
            }
        }
        let record = BlueskyPostRecord(
            text: context.text, createdAt: context.scheduledAt, langs: context.post.language.map { [$0] } ?? [],
            facets: context.rendered.facets, mentionDIDs: dids, root: root, parent: parent,
            images: images.enumerated().compactMap { offset, item in
                progress.values["blob[\(offset + 1)]"].map { BlueskyPostRecord.Image(blobJSON: $0, alt: item.alt ?? "", width: item.width, height: item.height) }
            },
            external: context.part == 1 && images.isEmpty ? context.post.link.map {
                BlueskyPostRecord.External(uri: $0, title: card?.title ?? "", description: card?.description ?? "", thumbJSON: progress.values["thumb"])
            } : nil)
        return .request(StepRequest(name: "create", request: requests.createRecord(repo: did, rkey: rkey, record: record.object, accessToken: access),
                                    repeatSafe: false, remember: ["rkey": rkey]))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let channel = context.channel.name
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        let error = BlueskyErrorReader(response)
        switch step.name {
        case "create-session", "refresh-session":
            if response.status == 200, let session = Self.session(from: json, replacing: context.session) {
                return .renewed(session)
            }
            if step.name == "refresh-session", response.status == 400 || response.status == 401 {
                // The refresh token is dead: log in again (the DID cache stays).
                return .renewed(ChannelSession(values: context.session.values.filter { $0.key.hasPrefix("did:") }))
            }
            return Self.refusal(error, channel: channel, login: true, step: step.name)
        case "resolve-handle":
            guard let mentioned = Self.unresolvedMention(in: context) else { return .advanced(progress) }
            var values = context.session.values
            if response.status == 200, let did = json["did"] as? String, did.hasPrefix("did:") {
                values[Self.didKey(mentioned)] = did
            } else if response.status == 400 {
                values[Self.didKey(mentioned)] = "-"  // unknown: stays plain text
            } else if (200..<300).contains(response.status) {
                return .retry("resolve-handle: HTTP \(response.status) without a DID for @\(mentioned) (channel '\(channel)')", after: nil)
            } else {
                return .standard
            }
            var session = context.session
            session.values = values
            return .renewed(session)
        default:
            break
        }
        if error.isExpiredSession { return .sessionExpired("\(error.summary) (channel '\(channel)')") }
        switch step.name {
        case "reconcile":
            if response.status == 200, let uri = json["uri"] as? String, let link = BlueskyPostLink(parsing: uri) {
                return .sent(RemoteReference(id: link.atURI, url: link.webURL))
            }
            if error.isNotFound { return .advanced(progress) }  // never created: create it (same key)
            return .standard
        case "lookup-root", "lookup-parent":
            if response.status == 200, let cid = json["cid"] as? String {
                let key = step.name == "lookup-root" ? "root.cid" : "parent.cid"
                return .advanced(progress.completing(step.name, values: [key: cid]))
            }
            if error.isNotFound {
                return .failed("\(error.summary) — the post this part replies to is gone on channel '\(channel)' (deleted?); the rest of the thread cannot be attached to it")
            }
            return Self.refusal(error, channel: channel, login: false, step: step.name)
        case "upload-thumb":
            guard response.status == 200, let blob = json["blob"] else { return Self.refusal(error, channel: channel, login: false, step: step.name) }
            return .advanced(progress.completing(step.name, values: ["thumb": Self.json(blob)]))
        case "create":
            if response.status == 200, let uri = json["uri"] as? String, let link = BlueskyPostLink(parsing: uri) {
                return .sent(RemoteReference(id: link.atURI, url: link.webURL))
            }
            return Self.refusal(error, channel: channel, login: false)
        default:
            if step.name.hasPrefix("upload-blob["), response.status == 200, let blob = json["blob"] {
                return .advanced(progress.completing(step.name, values: [String(step.name.dropFirst("upload-".count)): Self.json(blob)]))
            }
            return Self.refusal(error, channel: channel, login: false, step: step.name)
        }
    }

    /// `crier check --online`: log in if crier holds no session (the session is kept, so the daemon
    /// need not log in again), then `getSession`: "ok as @handle (did)".
    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        let requests = BlueskyRequests(pds: context.channel.url, label: "check")
        guard let handle = context.channel.settings["handle"] else {
            return .problem("needs `handle:` (the account's handle, e.g. crier.bsky.social)")
        }
        // Marks are per session generation: a renewed session starts clean.
        let generation = String(context.session.generation)
        guard let access = context.session["access_token"], !context.session.needsRenewal, values["expired"] != generation else {
            if let refresh = context.session["refresh_token"], values["refresh-failed"] != generation, context.session["access_token"] != nil {
                return .request(StepRequest(name: "refresh-session", request: requests.refreshSession(refreshToken: refresh), repeatSafe: true,
                                            sessionStep: true))
            }
            guard let password = context.secrets["app_password"]?.value else { return .problem("no app_password secret") }
            return .request(StepRequest(name: "create-session", request: requests.createSession(identifier: handle, password: password),
                                        repeatSafe: true, sessionStep: true))
        }
        return .request(StepRequest(name: "get-session", request: requests.getSession(accessToken: access), repeatSafe: true))
    }

    /// The session a `createSession`/`refreshSession` answer gives: its tokens and DID, keeping the
    /// handle → DID cache of the session it replaces.
    static func session(from json: [String: Any], replacing previous: ChannelSession) -> ChannelSession? {
        guard let access = json["accessJwt"] as? String, let refresh = json["refreshJwt"] as? String,
              let did = json["did"] as? String else { return nil }
        var values = previous.values.filter { $0.key.hasPrefix("did:") }
        values["access_token"] = access
        values["refresh_token"] = refresh
        values["did"] = did
        if let handle = json["handle"] as? String { values["handle"] = handle }
        return ChannelSession(values: values, expiresAt: BlueskyJWT.expiry(of: access))
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        let error = BlueskyErrorReader(response)
        switch step.name {
        case "create-session", "refresh-session":
            if response.status == 200, let session = Self.session(from: json, replacing: context.session) {
                return .renewed(session)
            }
            let generation = String(context.session.generation)
            if step.name == "refresh-session" { return .advanced(["refresh-failed": generation, "expired": generation]) }
            if error.error == "AccountTakedown" { return .problem("\(error.summary): the account is taken down") }
            if error.status == 429 { return .problem("\(error.summary): too many logins for this account; wait and check again later") }
            return .problem("\(error.summary): Bluesky refused the handle or app password; check `handle:` and create an app password "
                + "(Settings → Privacy and security → App passwords) for the app_password secret")
        default:
            if response.status == 200, let handle = json["handle"] as? String {
                return .ok("ok as @\(handle) (\(json["did"] as? String ?? "no did"))")
            }
            let generation = String(context.session.generation)
            if error.isExpiredSession, values["expired"] != generation { return .advanced(["expired": generation]) }
            return .problem("\(error.summary): getSession failed")
        }
    }

    /// A bsky.app link or an AT URI given to `crier resolve --sent`.
    public func remoteReference(forURL url: String) -> RemoteReference {
        guard let link = BlueskyPostLink(parsing: url) else { return RemoteReference(id: nil, url: url) }
        return RemoteReference(id: link.atURI, url: link.webURL)
    }

    /// `step`: a step that comes before the post (a login, a lookup, an upload), whose 2xx without
    /// what crier needs from it is tried again; without it (`create`) a 2xx follows the generic
    /// rules: the post is made.
    static func refusal(_ error: BlueskyErrorReader, channel: String, login: Bool, step: String? = nil) -> StepAnswer {
        if error.error == "AccountTakedown" || error.error == "AccountDeactivated" {
            return .failed("\(error.summary) — channel '\(channel)''s Bluesky account is taken down or deactivated; nothing can be posted until it is restored")
        }
        if login, error.status == 401 || error.status == 400 {
            return .failed("\(error.summary) — Bluesky refused channel '\(channel)''s handle or app password: check `handle:`, and create an app password "
                + "(Settings → Privacy and security → App passwords) for the app_password secret")
        }
        if error.status == 413 {
            return .failed("\(error.summary) — too large for channel '\(channel)''s PDS: make the file smaller")
        }
        if error.status == 400 {
            return .failed("\(error.summary) — the PDS refused the post on channel '\(channel)'; fix the post and `crier retry` it")
        }
        if error.status == 401 || error.status == 403 {
            return .failed("\(error.summary) — channel '\(channel)''s session is not allowed to post; check the app password")
        }
        if let step, (200..<300).contains(error.status) {
            return .retry("\(step): \(error.summary) without what crier needs from it (channel '\(channel)')", after: nil)
        }
        return .standard
    }

    static func didKey(_ handle: String) -> String { "did:" + handle.lowercased() }

    static func unresolvedMention(in context: DeliveryContext) -> String? {
        for facet in context.rendered.facets {
            if case .mention(let mentioned) = facet.feature, context.session[didKey(mentioned)] == nil { return mentioned }
        }
        return nil
    }

    static func link(_ reference: RemoteReference?) -> BlueskyPostLink? {
        guard let reference else { return nil }
        return reference.id.flatMap(BlueskyPostLink.init(parsing:)) ?? reference.url.flatMap(BlueskyPostLink.init(parsing:))
    }

    static func json(_ value: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
}
