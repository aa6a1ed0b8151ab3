import Foundation

/// What a Bot API error means for a delivery, in words that name the channel and say what to do.
/// 429 waits `parameters.retry_after`; 5xx is retried; 401, 403, "can't parse entities", "chat not
/// found" and every other 4xx are permanent. (`migrate_to_chat_id` is handled by the adapter: it
/// continues with the new chat.)
public enum TelegramErrorReader {
    public static func answer(status: Int, reply: TelegramReply?, channel: String, chat: String) -> StepAnswer {
        let description = reply?.description ?? "HTTP \(status) without a Bot API answer"
        let code = reply?.errorCode ?? status
        let words = "\(code) \(description)"
        if code == 429 || status == 429 {
            return .retry("telegram channel '\(channel)' is rate limited: \(words)", after: reply?.retryAfter)
        }
        if StepClassifier.isRetryable(status: status) { return .standard }
        let lower = description.lowercased()
        let hint: String
        switch code {
        case 401:
            hint = "the bot token was revoked or is wrong: get the current one from @BotFather (/token) and update `token:`"
        case 403:
            if lower.contains("blocked") {
                hint = "the user blocked the bot; they must unblock it (or change `chat:`)"
            } else {
                hint = "the bot is not a member of chat \(chat) or may not post there: add the bot to the chat (in a channel, as an administrator allowed to post)"
            }
        case 413:
            hint = "the upload is larger than the Bot API takes (photos up to 10 MB, other files up to 50 MB): make it smaller"
        case 404:
            hint = "the Bot API does not know this bot token or method: check `token:` and `url:`"
        default:
            if lower.contains("can't parse entities") {
                hint = "Telegram could not read the HTML crier sent; this is a crier bug, please report it with the post"
            } else if lower.contains("chat not found") {
                hint = "check `chat:` (a numeric id like -1001234567890 or @channelname) and that the bot was added to it"
            } else if lower.contains("thread not found") {
                hint = "the forum topic in `topic:` does not exist (any more): check its id"
            } else if lower.contains("message to be replied not found") {
                hint = "the previous part of the thread was deleted; the rest of the thread cannot reply to it"
            } else if lower.contains("too big") || lower.contains("too large") {
                hint = "the file is larger than Telegram takes from bots: make it smaller"
            } else {
                hint = "Telegram refused the message"
            }
        }
        return .failed("telegram channel '\(channel)': \(words): \(hint)")
    }
}
