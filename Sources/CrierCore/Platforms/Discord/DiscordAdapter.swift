import Foundation

/// Discord, in one of two modes chosen by the channel's keys:
///
/// - **bot** (`token` + `channel`): Create Message with `nonce` (from the delivery id) and
///   `enforce_nonce: true`, so Discord answers a repeat within its nonce window with the message it
///   already made: the `send` step is safe to repeat. Later parts reply to the previous one
///   (`message_reference`).
/// - **webhook** (`webhook_url`): Execute Webhook with `?wait=true` (the message comes back with its
///   id). Webhooks take no nonce and no replies: a thread becomes consecutive messages, and `send`
///   is not safe to repeat (a lost answer makes the delivery `unknown`).
///
/// Before its first message a channel looks its guild up once (`channel-lookup`, a session step:
/// `GET /channels/{id}`, or `GET` of the webhook), for the receipt's jump links.
///
/// Both send `allowed_mentions: {parse: []}` unless the channel sets `allow_mentions: true`, and
/// part 1 carries the post's media as multipart `files[n]` with the alt text as each attachment's
/// `description`.
public struct DiscordAdapter: PlatformAdapter {
    public init() {}

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let channel = context.channel.name
        let allowMentions: Bool
        switch context.channel.settings["allow_mentions"]?.lowercased() {
        case nil, "false", "no", "off": allowMentions = false
        case "true", "yes", "on": allowMentions = true
        case let other?:
            return .fail("discord channel '\(channel)': allow_mentions is '\(other)'; write true or false")
        }
        let builder = DiscordRequestBuilder(label: context.deliveryID, allowMentions: allowMentions)
        var files: [(MediaItem, Data)] = []
        if context.part == 1 {
            for item in context.media {
                do {
                    files.append((item, try media.bytes(of: item)))
                } catch {
                    return .fail("discord channel '\(channel)': \(error.description)")
                }
            }
        }
        if let webhook = context.secrets["webhook_url"]?.value {
            if !Secret(webhook).isPlaceholder, let problem = DiscordWebhookURL.problem(webhook) { return .fail("discord channel '\(channel)': webhook_url: \(problem)") }
            if context.session["guild_id"] == nil {
                // Once per channel: the guild, for jump links (a created message does not carry it).
                return .request(StepRequest(name: "channel-lookup", request: builder.get(webhook, token: nil), repeatSafe: true, sessionStep: true))
            }
            let request = builder.webhookMessage(webhookURL: webhook, threadID: context.channel.settings["thread_id"],
                                                 content: context.text, files: files)
            return .request(StepRequest(name: "send", request: request, repeatSafe: false))
        }
        guard let token = context.secrets["token"]?.value, let target = context.channel.settings["channel"] else {
            return .fail("discord channel '\(channel)' needs `webhook_url`, or `token` and `channel`")
        }
        if context.channel.settings["thread_id"] != nil {
            return .fail("discord channel '\(channel)': thread_id is for webhooks; a bot posts into a thread when `channel:` is the thread's id")
        }
        if context.session["guild_id"] == nil {
            let url = "\(DiscordRequestBuilder.trimmed(context.channel.url))/channels/\(target)"
            return .request(StepRequest(name: "channel-lookup", request: builder.get(url, token: token), repeatSafe: true, sessionStep: true))
        }
        let request = builder.botMessage(apiRoot: context.channel.url, token: token, channel: target, content: context.text,
                                         nonce: DiscordRequestBuilder.nonce(forDelivery: context.deliveryID),
                                         replyTo: context.replyTo?.id, files: files)
        return .request(StepRequest(name: "send", request: request, repeatSafe: true))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let mode = context.secrets["webhook_url"] == nil ? "bot" : "webhook"
        if step.name == "channel-lookup", (200..<300).contains(response.status) {
            let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
            var session = context.session
            session.values["guild_id"] = (object?["guild_id"] as? String) ?? "@me"
            return .renewed(session)
        }
        if (200..<300).contains(response.status) {
            guard let message = DiscordMessage(body: response.body) else {
                return .failed("discord channel '\(context.channel.name)': HTTP \(response.status) without a message; "
                               + "the message may have been posted: look at the channel")
            }
            return .sent(message.reference(guild: context.session["guild_id"].flatMap { $0 == ChannelSession.placeholderValue ? nil : $0 }))
        }
        return DiscordErrorReader.answer(response, channel: context.channel.name, mode: mode)
    }

    /// A jump link `https://discord.com/channels/<guild>/<channel>/<message>` stands for its last
    /// component, the message id.
    public func remoteReference(forURL url: String) -> RemoteReference {
        let last = url.split(separator: "/").last.map(String.init)
        return RemoteReference(id: last.flatMap { $0.allSatisfy(\.isNumber) ? $0 : nil }, url: url)
    }
}
