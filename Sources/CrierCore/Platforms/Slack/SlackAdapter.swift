import Foundation

/// Slack, in one of two modes chosen by the channel's keys:
///
/// - **bot** (`token` + `channel`): `send` (`chat.postMessage`, later parts in the thread of
///   part 1 via `thread_ts`; not safe to repeat: Slack has no idempotency key, so a lost answer
///   makes the delivery `unknown`), then `permalink` (`chat.getPermalink`, a read) for the receipt.
///   Part 1 with media uploads each file first (`upload-url[n]`, `upload[n]`: invisible, safe to
///   repeat) and shares them with the text as one message (`share`, not safe to repeat), then reads
///   the message's ts (`share-lookup`).
/// - **webhook** (`webhook_url`): one `send` of `{"text"}`; Slack answers `ok` with no message id,
///   so there are no threads: a post that would need several parts fails before anything is sent.
public struct SlackAdapter: PlatformAdapter {
    public init() {}

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let channel = context.channel.name
        let builder = SlackRequestBuilder(apiRoot: context.channel.url, label: context.deliveryID)
        if let webhook = context.secrets["webhook_url"]?.value {
            if !Secret(webhook).isPlaceholder, let problem = SlackWebhookURL.problem(webhook) { return .fail("slack channel '\(channel)': webhook_url: \(problem)") }
            if context.partCount > 1 {
                return .fail("slack channel '\(channel)' is an incoming webhook, which cannot reply in a thread, and this post needs "
                             + "\(context.partCount) parts: set `long: truncate` (or shorten the post), or use a bot `token:` and `channel:`")
            }
            return .request(StepRequest(name: "send", request: builder.webhook(url: webhook, text: context.text), repeatSafe: false))
        }
        guard let token = context.secrets["token"]?.value, let target = context.channel.settings["channel"] else {
            return .fail("slack channel '\(channel)' needs `webhook_url`, or `token` and `channel`")
        }
        if context.part == 1, !context.media.isEmpty, progress.values["ts"] == nil {
            return mediaStep(context, progress: progress, media: media, token: token, target: target, builder: builder)
        }
        if let ts = progress.values["ts"] {
            let request = builder.getPermalink(token: token, channel: progress.values["channel_id"] ?? target, ts: ts)
            return .request(StepRequest(name: "permalink", request: request, repeatSafe: true))
        }
        if context.part > 1, context.threadRoot?.id == nil {
            return .fail("slack channel '\(channel)': part 1 of this thread has no message timestamp to reply to "
                         + "(resolved with a URL that is not a Slack permalink?)")
        }
        let request = builder.postMessage(token: token, channel: target, text: context.text,
                                          threadTS: context.part > 1 ? context.threadRoot?.id : nil)
        return .request(StepRequest(name: "send", request: request, repeatSafe: false))
    }

    /// Part 1 with media: each file's upload URL (`upload-url[n]`) and bytes (`upload[n]`), both
    /// invisible and safe to repeat; then `share` (`files.completeUploadExternal` with the text as
    /// the message; visible, not safe to repeat); then `share-lookup` (`files.info`, a read) for the
    /// message's ts, which Slack fills in shortly after sharing.
    private func mediaStep(_ context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, token: String, target: String,
                           builder: SlackRequestBuilder) -> AdapterStep {
        for (index, item) in context.media.enumerated() {
            let number = index + 1
            guard let uploadURL = progress.values["upload_url[\(number)]"] else {
                let request = builder.getUploadURL(token: token, filename: MultipartForm.filename(of: item.file), length: item.byteCount,
                                                   altText: item.alt)
                return .request(StepRequest(name: "upload-url[\(number)]", request: request, repeatSafe: true))
            }
            if !progress.isDone("upload[\(number)]") {
                let bytes: Data
                do {
                    bytes = try media.bytes(of: item)
                } catch {
                    return .fail("slack channel '\(context.channel.name)': \(error.description)")
                }
                return .request(StepRequest(name: "upload[\(number)]", request: builder.upload(to: uploadURL, bytes: bytes), repeatSafe: true))
            }
        }
        let files = context.media.indices.compactMap { index -> (id: String, title: String)? in
            progress.values["file_id[\(index + 1)]"].map { ($0, MultipartForm.filename(of: context.media[index].file)) }
        }
        if !progress.isDone("share") {
            let request = builder.completeUpload(token: token, files: files, channel: target, text: context.text)
            return .request(StepRequest(name: "share", request: request, repeatSafe: false))
        }
        return .request(StepRequest(name: "share-lookup", request: builder.fileInfo(token: token, fileID: files.first?.id ?? ""), repeatSafe: true))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let channel = context.channel.name
        if context.secrets["webhook_url"] != nil {
            guard (200..<300).contains(response.status) else { return SlackErrorReader.webhook(response, channel: channel) }
            return .sent(nil)
        }
        let reply = SlackReply(body: response.body)
        if step.name == "permalink" {
            // The message is posted; a link that cannot be had only leaves the receipt without one.
            let ts = progress.values["ts"]
            guard (200..<300).contains(response.status), let reply, reply.ok, let permalink = reply.permalink else {
                return .sent(RemoteReference(id: ts, url: nil))
            }
            return .sent(RemoteReference(id: ts, url: permalink))
        }
        let target = context.channel.settings["channel"] ?? ""
        if step.name.hasPrefix("upload["), !step.name.hasPrefix("upload-url") {
            // The upload URL answers a plain 200 (not a Web API answer).
            guard (200..<300).contains(response.status) else {
                return StepClassifier.isRetryable(status: response.status) ? .standard
                    : .failed("slack channel '\(channel)': the file upload was refused (HTTP \(response.status)): \(ReceiverMessage.summary(of: response))")
            }
            return .advanced(progress.completing(step.name))
        }
        guard (200..<300).contains(response.status), let reply, reply.ok else {
            return SlackErrorReader.postMessage(response, reply: reply, channel: channel, target: target)
        }
        if step.name.hasPrefix("upload-url[") {
            let number = step.name.dropFirst("upload-url[".count).dropLast()
            guard let url = reply.uploadURL, let file = reply.fileID else {
                return .failed("slack channel '\(channel)': files.getUploadURLExternal answered ok without an upload URL")
            }
            return .advanced(progress.completing(step.name, values: ["upload_url[\(number)]": url, "file_id[\(number)]": file]))
        }
        if step.name == "share" { return .advanced(progress.completing("share")) }
        if step.name == "share-lookup" {
            guard let ts = reply.shares[target] else {
                return .retry("slack channel '\(channel)': waiting for Slack to share the files", after: 2)
            }
            return .advanced(progress.completing("share-lookup", values: ["ts": ts, "channel_id": target]))
        }
        guard let ts = reply.ts else {
            return .failed("slack channel '\(channel)': chat.postMessage answered ok without a message timestamp")
        }
        return .advanced(progress.completing("send", values: ["ts": ts, "channel_id": reply.channel ?? target]))
    }

    /// A permalink `https://x.slack.com/archives/C123/p1700000000123456` stands for the message
    /// timestamp `1700000000.123456` (what later parts of a thread reply to).
    public func remoteReference(forURL url: String) -> RemoteReference {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let last = path.split(separator: "/").last, last.hasPrefix("p"), last.count > 7,
              last.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return RemoteReference(id: nil, url: url)
        }
        let digits = last.dropFirst()
        return RemoteReference(id: "\(digits.dropLast(6)).\(digits.suffix(6))", url: url)
    }
}
