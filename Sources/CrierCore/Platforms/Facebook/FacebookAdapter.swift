import Foundation

/// Facebook Pages (Graph API) with a Page access token (`token`, a secret in crier.yml):
///
/// 1. `check-media[n]`: a `HEAD` of each photo's public URL (`GraphMediaCheck`);
/// 2. `photo[n]`: `POST /{page-id}/photos` with `url`, `published=false` and `alt_text_custom` — an
///    unpublished photo is invisible, so a repeat after a lost answer cannot publish anything (at
///    worst it leaves an unused unpublished photo);
/// 3. `post`: `POST /{page-id}/feed` with `message`, `link` and `attached_media[n]={"media_fbid":…}` —
///    the one step that is **not** safe to repeat: a lost answer makes the delivery `unknown`;
/// 4. `permalink`: `GET /{post-id}?fields=permalink_url` for the receipt.
///
/// Sources: https://developers.facebook.com/docs/pages-api/posts ("Publish a Page post", "Publish
/// multiple photos": unpublished photos then `attached_media`),
/// https://developers.facebook.com/docs/graph-api/reference/page/photos (`url`, `published`),
/// https://developers.facebook.com/docs/graph-api/reference/photo (`alt_text_custom`).
public struct FacebookAdapter: PlatformAdapter {
    public init() {}

    private func errors(_ context: DeliveryContext) -> GraphErrorAnswer {
        GraphErrorAnswer(platform: "Facebook", channel: context.channel.name, post: context.post.id,
                         pollInterval: GraphContainerAdapter.pollInterval(context.channel),
                         newTokenHint: "get a new Page access token and put it where the channel's `token` points")
    }

    private func request(_ name: String, method: String, url: String, form: GraphForm? = nil, token: String,
                         repeatSafe: Bool) -> StepRequest {
        var headers = [HTTPHeader("Authorization", "Bearer \(token)")]
        if form != nil { headers.append(HTTPHeader("Content-Type", "application/x-www-form-urlencoded")) }
        return StepRequest(name: name, request: OutgoingRequest(method: method, url: url, headers: headers, body: form?.body ?? Data()),
                           repeatSafe: repeatSafe)
    }

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, now: Date) -> AdapterStep {
        let channel = context.channel.name
        guard let pageID = context.channel.settings["page_id"] else {
            return .fail("channel '\(channel)': `page_id` is missing (the Page's numeric id)")
        }
        guard let token = context.secrets["token"]?.value, !token.isEmpty else {
            return .fail("channel '\(channel)': `token` is missing (a Page access token with pages_manage_posts)")
        }
        let endpoint = GraphEndpoint(channelURL: context.channel.url)
        if let postID = progress.values["post_id"] {
            return .request(request("permalink", method: "GET", url: endpoint.url(postID, query: GraphForm([("fields", "permalink_url")])),
                                    token: token, repeatSafe: true))
        }
        let items = context.media
        if let missing = GraphMediaCheck.missingBaseURL(items, channel: channel, platform: "Facebook") { return .fail(missing) }
        if let video = items.first(where: { !$0.isImage }) {
            return .fail("channel '\(channel)': \(video.file) is \(video.mimeType); crier posts photos to Facebook Pages, not videos")
        }
        for (offset, item) in items.enumerated() where !progress.isDone("check-media[\(offset + 1)]") {
            return .request(GraphMediaCheck.step(item, index: offset + 1))
        }
        var photoIDs: [String] = []
        for (offset, item) in items.enumerated() {
            guard let id = progress.values["photo[\(offset + 1)]"] else {
                var form = GraphForm([("url", item.publicURL ?? ""), ("published", "false")])
                form.add("alt_text_custom", item.alt)
                return .request(request("photo[\(offset + 1)]", method: "POST", url: endpoint.url("\(pageID)/photos"), form: form,
                                        token: token, repeatSafe: true))
            }
            photoIDs.append(id)
        }
        var form = GraphForm()
        if !context.text.isEmpty { form.add("message", context.text) }
        if context.part == 1, photoIDs.isEmpty { form.add("link", context.post.link) }
        for (offset, id) in photoIDs.enumerated() {
            var json = JSONWriter(capacity: 40)
            json.raw("{")
            json.key("media_fbid")
            json.string(id)
            json.raw("}")
            form.add("attached_media[\(offset)]", String(decoding: json.bytes, as: UTF8.self))
        }
        if form.fields.isEmpty {
            return .fail("channel '\(channel)': the post has no text, link or photo for Facebook")
        }
        return .request(request("post", method: "POST", url: endpoint.url("\(pageID)/feed"), form: form, token: token, repeatSafe: false))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let name = step.name
        if name.hasPrefix("check-media["), let index = GraphContainerAdapter.index(in: name), index <= context.media.count {
            return GraphMediaCheck.read(response, item: context.media[index - 1], channel: context.channel.name, progress: progress,
                                        stepName: name)
        }
        guard (200..<300).contains(response.status) else {
            if name == "permalink" { return .sent(RemoteReference(id: progress.values["post_id"], url: nil)) }
            return errors(context).answer(response, step: name)
        }
        switch name {
        case "post":
            guard let id = GraphJSON.id(response.body) else { return .sent(nil) }
            return .advanced(progress.completing(name, values: ["post_id": id]))
        case "permalink":
            let url = GraphJSON.object(response.body).flatMap { GraphJSON.string($0["permalink_url"]) }
            return .sent(RemoteReference(id: progress.values["post_id"], url: url))
        default:
            if name.hasPrefix("photo["), let index = GraphContainerAdapter.index(in: name) {
                guard let id = GraphJSON.id(response.body) else {
                    return .retry("\(name): Facebook answered without a photo id", after: nil)
                }
                return .advanced(progress.completing(name, values: ["photo[\(index)]": id]))
            }
            return .standard
        }
    }

    /// `crier check --online`: the Page's name through its token (`GET /{page-id}?fields=id,name`).
    public func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        guard let pageID = context.channel.settings["page_id"] else { return .problem("`page_id` is missing") }
        guard let token = context.secrets["token"]?.value else { return .problem("`token` is missing") }
        if let name = values["name"] { return .ok("ok as Page \"\(name)\" (\(pageID))") }
        let endpoint = GraphEndpoint(channelURL: context.channel.url)
        return .request(StepRequest(name: "page", request: OutgoingRequest(
            method: "GET", url: endpoint.url(pageID, query: GraphForm([("fields", "id,name")])),
            headers: [HTTPHeader("Authorization", "Bearer \(token)")]), repeatSafe: true))
    }

    public func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                          values: [String: String]) -> ProbeAnswer {
        guard (200..<300).contains(response.status) else {
            guard let error = GraphError.parse(response.body) else { return .problem("Facebook answered HTTP \(response.status)") }
            if error.isTokenRefused {
                return .problem("Facebook refused the Page token: \(error.tokenRefusal) (\(error)); get a new Page access token")
            }
            return .problem("Facebook answered HTTP \(response.status): \(error)")
        }
        let object = GraphJSON.object(response.body) ?? [:]
        return .advanced(["name": GraphJSON.string(object["name"]) ?? "?"])
    }
}
