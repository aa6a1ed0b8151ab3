import Foundation

/// Telegram through the Bot API. One step per part, and none of them is safe to repeat (the Bot
/// API has no idempotency key): `send` (`sendMessage`, HTML, replying to the previous part) or, for
/// part 1 of a post with media, `send-media` (`sendPhoto`/`sendVideo`/`sendAnimation`, or
/// `sendMediaGroup` for 2–10 files, the text as the caption). A lost answer therefore makes the
/// delivery `unknown`, never a second message.
///
/// A group that became a supergroup answers 400 with `migrate_to_chat_id`: the delivery goes on
/// with the new chat id (kept in its progress) and a warning tells the operator to update `chat:`.
public struct TelegramAdapter: PlatformAdapter {
    public init() {}

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let channel = context.channel.name
        guard let token = context.secrets["token"]?.value else {
            return .fail("telegram channel '\(channel)' has no bot token: set `token:` to a secret reference")
        }
        // The preview builds requests with a placeholder for each secret: nothing to check then.
        if !Secret(token).isPlaceholder, let problem = TelegramToken.problem(token) { return .fail("telegram channel '\(channel)': token: \(problem)") }
        guard let chat = progress.values["chat"] ?? context.channel.settings["chat"] else {
            return .fail("telegram channel '\(channel)' has no `chat:` (a numeric chat id or @channelname)")
        }
        var topic: Int64?
        if let text = context.channel.settings["topic"] {
            guard let number = Int64(text) else {
                return .fail("telegram channel '\(channel)': topic '\(text)' is not a message thread id (a number)")
            }
            topic = number
        }
        let builder = TelegramRequestBuilder(apiRoot: context.channel.url, token: token, chat: chat, topic: topic,
                                             label: context.deliveryID)
        let replyTo = context.replyTo?.id.flatMap { Int64($0) }
        let files = context.part == 1 ? context.media : []
        if files.isEmpty {
            let request = builder.sendMessage(text: context.text, link: context.post.link, replyTo: replyTo)
            return .request(StepRequest(name: "send", request: request, repeatSafe: false))
        }
        var loaded: [(MediaItem, Data)] = []
        for item in files {
            do {
                loaded.append((item, try media.bytes(of: item)))
            } catch {
                return .fail("telegram channel '\(channel)': \(error.description)")
            }
        }
        let boundary = "crier-\(context.deliveryID)"
        let request = loaded.count == 1
            ? builder.sendMedia(loaded[0].0, bytes: loaded[0].1, caption: context.text, replyTo: replyTo, boundary: boundary)
            : builder.sendMediaGroup(loaded, caption: context.text, replyTo: replyTo, boundary: boundary)
        return .request(StepRequest(name: "send-media", request: request, repeatSafe: false))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        let reply = TelegramReply(body: response.body)
        let chat = progress.values["chat"] ?? context.channel.settings["chat"] ?? ""
        if (200..<300).contains(response.status), let reply, reply.ok {
            // An album answers one message per file; the first stands for the part (later parts reply to it).
            guard let first = reply.messages.first else { return .sent(nil) }
            return .sent(first.reference)
        }
        if let migrated = reply?.migrateToChatID, migrated != chat {
            let warning = "telegram channel '\(context.channel.name)': chat \(chat) was upgraded to a supergroup and is now \(migrated); "
                + "crier sends there, but update `chat: \"\(migrated)\"` in the config"
            return .advanced(progress.completing("migrate-chat", values: ["chat": migrated, DeliveryProgress.warningKey: warning]))
        }
        return TelegramErrorReader.answer(status: response.status, reply: reply, channel: context.channel.name, chat: chat)
    }
}
