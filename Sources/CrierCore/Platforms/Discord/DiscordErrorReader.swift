import Foundation

/// What a Discord error answer means, in words that name the channel and say what to do. A 429
/// waits the body's `retry_after` (fractional seconds) or `X-RateLimit-Reset-After`, whichever is
/// longer; 5xx is retried; unknown webhook or channel, missing access or permissions, an invalid
/// form body and every other 4xx fail with Discord's code and message.
public enum DiscordErrorReader {
    public static func answer(_ response: TransportResponse, channel: String, mode: String) -> StepAnswer {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let code = (object?["code"] as? NSNumber)?.intValue
        let message = (object?["message"] as? String).map(ReceiverMessage.clip) ?? ReceiverMessage.summary(of: response)
        if response.status == 429 {
            let bodyWait = (object?["retry_after"] as? NSNumber)?.doubleValue
            let headerWait = response.headers.value(for: "X-RateLimit-Reset-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                ?? response.headers.value(for: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            let waits = [bodyWait, headerWait].compactMap { $0 }.filter { $0.isFinite && $0 >= 0 }
            let global = (object?["global"] as? Bool) == true ? " (global)" : ""
            return .retry("discord channel '\(channel)' is rate limited\(global): \(message)", after: waits.max())
        }
        if StepClassifier.isRetryable(status: response.status) { return .standard }
        let words = code.map { "\(response.status) \($0) \(message)" } ?? "\(response.status) \(message)"
        var hint: String
        switch code {
        case 10003: hint = "check `channel:` (the channel id: right-click the channel → Copy Channel ID)"
        case 10015: hint = "the webhook was deleted: create a new one (channel → Integrations → Webhooks) and update `webhook_url:`"
        case 10008: hint = "the previous part of the thread was deleted; the rest of the thread cannot reply to it"
        case 50001: hint = "the bot cannot see the channel: invite it to the server and give it access to the channel"
        case 50013: hint = "give the bot the Send Messages permission in the channel (and Attach Files for media)"
        case 50006: hint = "the message is empty"
        case 40005: hint = "the files are too large for this server: make them smaller"
        case 50035: hint = "Discord refused the message's fields: " + ReceiverMessage.clip(Self.fieldErrors(object?["errors"]).joined(separator: "; "))
        default:
            switch response.status {
            case 401: hint = mode == "bot" ? "the bot token is wrong or was reset: copy the current one (Developer Portal → Bot) into `token:`"
                : "the webhook token is wrong: copy the webhook URL again into `webhook_url:`"
            case 403: hint = "the bot may not post in this channel: check its permissions"
            case 404: hint = mode == "bot" ? "check `channel:`" : "the webhook does not exist: update `webhook_url:`"
            default: hint = "Discord refused the message"
            }
        }
        if hint.hasSuffix(": ") { hint = String(hint.dropLast(2)) }
        return .failed("discord channel '\(channel)': \(words): \(hint)")
    }

    /// Discord's nested form errors (`{"content":{"_errors":[{"code":…,"message":…}]}}`) as
    /// `content: Must be 2000 or fewer in length.` lines.
    static func fieldErrors(_ node: Any?, path: String = "") -> [String] {
        guard let object = node as? [String: Any] else { return [] }
        var lines: [String] = []
        for key in object.keys.sorted() {
            if key == "_errors", let errors = object[key] as? [[String: Any]] {
                lines += errors.compactMap { $0["message"] as? String }.map { path.isEmpty ? $0 : "\(path): \($0)" }
            } else {
                lines += fieldErrors(object[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
        }
        return lines
    }
}
