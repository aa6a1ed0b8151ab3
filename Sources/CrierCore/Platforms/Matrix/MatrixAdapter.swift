import Foundation

/// Matrix (client-server API v3). A part takes these steps, each recorded before the next and every
/// one safe to repeat:
///
/// - session steps, whose answers the engine keeps in the channel's session (one at a time per
///   channel, so twenty posts due at once cost one login): `login` or `refresh` (with `user` and
///   `password`, see `MatrixLogin`), `resolve-room` (a `room:` alias: the room id behind it),
///   `media-config` (the upload limit, read once before the first upload);
/// - `upload-media[n]`: each file of part 1 to the content repository (`mxc://…`), checked first
///   against the homeserver's limit;
/// - `send`: the text as `m.room.message` with the **delivery id as transaction id**, so a repeat
///   (a lost answer, a restart) yields the first event, not a second one; later parts are in the
///   thread rooted at part 1 (`m.thread`, with an `m.in_reply_to` fallback to the previous part);
/// - `send-media[n]`: one `m.image`/`m.video`/`m.file` event per file after part 1's text, its
///   `body` the alt text, in the thread when the post is one (transaction id `<delivery>-media<n>`).
public struct MatrixAdapter: PlatformAdapter {
    public static let msgtypes = ["m.text", "m.notice"]

    public init() {}

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, now: Date) -> AdapterStep {
        let channel = context.channel
        let prefix = "matrix channel '\(channel.name)'"
        guard let room = channel.settings["room"], !room.isEmpty else { return .fail("\(prefix): `room:` is missing (a room id !…, or an alias #…:server)") }
        guard room.hasPrefix("!") || room.hasPrefix("#") else { return .fail("\(prefix): `room: \(room)` is neither a room id (!…) nor an alias (#…:server)") }
        let msgtype = channel.settings["msgtype"] ?? "m.text"
        guard Self.msgtypes.contains(msgtype) else { return .fail("\(prefix): `msgtype: \(msgtype)` is not one of \(Self.msgtypes.joined(separator: ", "))") }
        let token: String
        switch MatrixLogin(channel: channel, secrets: context.secrets, session: context.session, label: context.deliveryID).access() {
        case .token(let value): token = value
        case .step(let step): return .request(step)
        case .fail(let reason): return .fail(reason)
        }
        let requests = MatrixRequests(homeserver: channel.url, accessToken: token, label: context.deliveryID)
        guard let roomID = Self.roomID(room, session: context.session) else {
            return .request(StepRequest(name: "resolve-room", request: requests.resolveAlias(room), repeatSafe: true, sessionStep: true))
        }

        var thread: MatrixEventContent.Thread?
        if context.part > 1 {
            guard let root = context.threadRoot?.id, let previous = context.replyTo?.id else {
                return .fail("\(prefix): part \(context.part) has no thread to go into: an earlier part has no event id")
            }
            thread = MatrixEventContent.Thread(root: root, previous: previous)
        }

        // Media go with part 1: checked against the homeserver's limit, uploaded, then sent after its text.
        let files = context.part == 1 ? context.media : []
        if !files.isEmpty, context.session["upload_limit"] == nil {
            let legacy = context.session["media_config"] == "legacy"
            return .request(StepRequest(name: legacy ? "media-config-legacy" : "media-config", request: requests.mediaConfig(legacy: legacy),
                                        repeatSafe: true, sessionStep: true))
        }
        for (index, item) in files.enumerated() where progress.values["media[\(index + 1)]"] == nil {
            let bytes: Data
            do {
                bytes = try media.bytes(of: item)
            } catch {
                return .fail("\(prefix): \(error.description)")
            }
            if let limit = context.session["upload_limit"].flatMap(Int.init), bytes.count > limit {
                return .fail("\(prefix): \(item.file) is \(bytes.count) bytes; the homeserver takes uploads up to \(limit) bytes: "
                             + "make it smaller, or leave \(channel.name) out of `channels:`")
            }
            let filename = item.file.split(separator: "/").last.map(String.init) ?? item.file
            return .request(StepRequest(name: "upload-media[\(index + 1)]",
                                        request: requests.upload(bytes, mimeType: item.mimeType, filename: filename), repeatSafe: true))
        }

        guard let event = progress.values["event"] else {
            let content = MatrixEventContent.text(msgtype: msgtype, body: context.text, html: context.rendered.formattedHTML, thread: thread)
            return .request(StepRequest(name: "send", request: requests.sendMessage(room: roomID, transactionID: context.deliveryID, content: content),
                                        repeatSafe: true))
        }
        var previous = event
        for (index, item) in files.enumerated() {
            let number = index + 1
            if let sent = progress.values["media-event[\(number)]"] {
                previous = sent
                continue
            }
            guard let uri = progress.values["media[\(number)]"] else { return .fail("\(prefix): \(item.file) was not uploaded") }
            let inThread = context.partCount > 1 ? MatrixEventContent.Thread(root: event, previous: previous) : nil
            let content = MatrixEventContent.media(item, contentURI: uri, thread: inThread)
            return .request(StepRequest(name: "send-media[\(number)]",
                                        request: requests.sendMessage(room: roomID, transactionID: "\(context.deliveryID)-media\(number)", content: content),
                                        repeatSafe: true))
        }
        // The last step's answer ends the delivery (`.sent`), so this is a fallback only.
        return .done(reference(to: event, context: context))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext, progress: DeliveryProgress) -> StepAnswer {
        let login = MatrixLogin(channel: context.channel, secrets: context.secrets, session: context.session, label: context.deliveryID)
        if step.name == "login" || step.name == "refresh" { return login.answer(response, to: step.name) }
        let room = context.channel.settings["room"] ?? ""
        guard (200..<300).contains(response.status) else {
            let parsed = MatrixErrorReader.parse(response.body)
            if step.name == "media-config", response.status == 404 || parsed.errcode == "M_UNRECOGNIZED" {
                // Before spec v1.11 (authenticated media) the config is only at /_matrix/media/v3/config.
                return .renewed(Self.session(context.session, adding: ["media_config": "legacy"]))
            }
            if login.usesPassword, parsed.errcode == "M_UNKNOWN_TOKEN" {
                return .sessionExpired("matrix channel '\(context.channel.name)': \(step.name): the homeserver refused the session's access token "
                                       + "(M_UNKNOWN_TOKEN: \(parsed.error))")
            }
            return MatrixErrorReader(channel: context.channel.name, room: room).answer(response, to: step.name)
        }
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        let prefix = "matrix channel '\(context.channel.name)': \(step.name)"
        switch step.name {
        case "resolve-room":
            guard let roomID = json["room_id"] as? String else { return .failed("\(prefix): the homeserver's answer has no room_id") }
            return .renewed(Self.session(context.session, adding: ["room_alias": room, "room_id": roomID]))
        case "media-config", "media-config-legacy":
            let limit = (json["m.upload.size"] as? NSNumber).map { String($0.intValue) } ?? "none"
            return .renewed(Self.session(context.session, adding: ["upload_limit": limit]))
        case "send":
            guard let event = json["event_id"] as? String else { return .failed("\(prefix): the homeserver's answer has no event_id") }
            // The part is complete unless part 1's media follow its text.
            if context.part > 1 || context.media.isEmpty { return .sent(reference(to: event, context: context)) }
            return .advanced(progress.completing(step.name, values: ["event": event]))
        default:
            guard let number = Self.index(in: step.name) else { return .failed("\(prefix): not a step of this adapter") }
            if step.name.hasPrefix("upload-media") {
                guard let uri = json["content_uri"] as? String else { return .failed("\(prefix): the homeserver's answer has no content_uri") }
                return .advanced(progress.completing(step.name, values: ["media[\(number)]": uri]))
            }
            guard let event = json["event_id"] as? String else { return .failed("\(prefix): the homeserver's answer has no event_id") }
            if number == context.media.count, let text = progress.values["event"] {
                return .sent(reference(to: text, context: context))
            }
            return .advanced(progress.completing(step.name, values: ["media-event[\(number)]": event]))
        }
    }

    /// The room id to send to: the configured id, or the one the session resolved the configured
    /// alias to (nil: not resolved yet, or the alias was changed since).
    static func roomID(_ room: String, session: ChannelSession) -> String? {
        if room.hasPrefix("!") { return room }
        if session.isPlaceholder { return ChannelSession.placeholderValue }
        return session["room_alias"] == room ? session["room_id"] : nil
    }

    /// `session` with `values` added (a fresh session: not marked for renewal).
    static func session(_ session: ChannelSession, adding values: [String: String]) -> ChannelSession {
        ChannelSession(values: session.values.merging(values) { $1 }, expiresAt: session.expiresAt)
    }

    /// What the receipt records for a part: its text event and that event's `matrix.to` link.
    private func reference(to event: String, context: DeliveryContext) -> RemoteReference {
        let room = context.channel.settings["room"] ?? ""
        let roomID = Self.roomID(room, session: context.session) ?? room
        return RemoteReference(id: event, url: Self.link(room: roomID, event: event, alias: room, homeserver: context.channel.url))
    }

    /// A `matrix.to` link (`https://matrix.to/#/!room/$event?via=server`): the event id is the last
    /// path component.
    public func remoteReference(forURL url: String) -> RemoteReference {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let last = path.split(separator: "/").last.map(String.init)?.removingPercentEncoding
        return RemoteReference(id: last.flatMap { $0.hasPrefix("$") ? $0 : nil }, url: url)
    }

    /// The permalink of an event. `via` is the server part of the room id, else of the alias, else
    /// the homeserver's host (rooms of version 12 have ids without a server part).
    public static func link(room: String, event: String, alias: String, homeserver: String) -> String {
        let server = [room, alias].lazy.compactMap { id -> String? in
            guard let colon = id.firstIndex(of: ":") else { return nil }
            return String(id[id.index(after: colon)...])
        }.first ?? URLComponents(string: homeserver)?.host
        let via = server.map { "?via=" + MatrixRequests.pathSegment($0) } ?? ""
        return "https://matrix.to/#/\(MatrixRequests.pathSegment(room))/\(MatrixRequests.pathSegment(event))\(via)"
    }

    /// `3` from `upload-media[3]`.
    static func index(in name: String) -> Int? {
        guard let open = name.firstIndex(of: "["), name.hasSuffix("]") else { return nil }
        return Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
    }
}
