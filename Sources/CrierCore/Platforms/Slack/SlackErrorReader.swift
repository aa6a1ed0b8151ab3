import Foundation

/// What a Slack error means, in words that name the channel and say what to do. The Web API answers
/// errors as HTTP 200 with `{"ok":false,"error":"…"}`; an incoming webhook answers a status and a
/// word (`invalid_payload`, `channel_not_found`, `channel_is_archived`, `action_prohibited`).
public enum SlackErrorReader {
    /// Errors that say Slack itself had trouble: the message may or may not have been posted.
    static let ambiguous: Set<String> = ["internal_error", "fatal_error", "service_unavailable", "request_timeout"]

    /// A Web API error of `chat.postMessage` (not safe to repeat).
    public static func postMessage(_ response: TransportResponse, reply: SlackReply?, channel: String, target: String) -> StepAnswer {
        guard let reply else {
            if response.status == 429 || StepClassifier.isRetryable(status: response.status) { return .standard }
            return .failed("slack channel '\(channel)': HTTP \(response.status) without a Web API answer: \(ReceiverMessage.summary(of: response))")
        }
        let error = reply.error ?? "unknown_error"
        if response.status == 429 || error == "ratelimited" || error == "rate_limited" {
            let wait = response.headers.value(for: "Retry-After").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            return .retry("slack channel '\(channel)' is rate limited: \(error)", after: wait)
        }
        if ambiguous.contains(error) {
            // Slack may have posted it before the error ("it's possible some aspect of the operation
            // succeeded"): sending it again could post it twice, so this is for the operator.
            return .failed("slack channel '\(channel)': \(error): Slack had trouble and the message may or may not have been posted; "
                           + "look at \(target), and run `crier retry` if it is not there")
        }
        return .failed("slack channel '\(channel)': \(error): \(hint(error, target: target))")
    }

    /// An incoming webhook's error (status and word).
    public static func webhook(_ response: TransportResponse, channel: String) -> StepAnswer {
        if response.status == 429 || (500..<600).contains(response.status) && response.status != 500 { return .standard }
        let word = String(decoding: response.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let hint: String
        switch word {
        case "invalid_payload": hint = "Slack could not read the message; this is a crier bug, please report it with the post"
        case "no_text": hint = "the message is empty"
        case "channel_not_found": hint = "the webhook's channel was deleted or the app lost access: create a new webhook and update `webhook_url:`"
        case "channel_is_archived": hint = "the webhook's channel is archived: unarchive it, or create a webhook for another channel"
        case "action_prohibited": hint = "a workspace admin restricted posting to this channel"
        case "no_service", "no_service_id", "no_team", "invalid_token":
            hint = "the webhook was removed or its URL is wrong: create a new one and update `webhook_url:`"
        case "posting_to_general_channel_denied": hint = "only admins may post to #general"
        case "rollup_error": hint = "Slack failed to post it; the message may or may not be there: look at the channel"
        default: hint = "Slack refused the message"
        }
        return .failed("slack channel '\(channel)': HTTP \(response.status) \(word.isEmpty ? "(no reason given)" : word): \(hint)")
    }

    static func hint(_ error: String, target: String) -> String {
        switch error {
        case "not_in_channel": return "invite the bot to the channel: type /invite @YourApp in \(target)"
        case "channel_not_found": return "check `channel:` (\(target)); use the channel id (C…), and invite the bot to private channels"
        case "is_archived": return "\(target) is archived: unarchive it or change `channel:`"
        case "msg_too_long": return "the message is too long for Slack: shorten the post or set `long: thread`"
        case "no_text": return "the message is empty"
        case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
            return "the bot token is not valid (any more): reinstall the app and copy its Bot User OAuth Token (xoxb-…) into `token:`"
        case "missing_scope": return "the app lacks a scope (chat:write; files:write and files:read for media): add it under OAuth & Permissions and reinstall the app"
        case "alt_txt_too_large": return "an alt text is longer than Slack's 1,000 characters: shorten it"
        case "file_uploads_disabled", "file_uploads_except_images_disabled", "file_type_not_allowed", "file_upload_size_restricted":
            return "the workspace does not allow this upload: ask an admin, or leave the media out for Slack"
        case "restricted_action", "ekm_access_denied": return "a workspace admin restricted posting in \(target)"
        case "thread_not_found", "message_not_found": return "the thread's first message was deleted; later parts cannot go into it"
        case "invalid_blocks", "invalid_arguments", "invalid_arg_name", "invalid_form_data", "invalid_json":
            return "Slack could not read the request; this is a crier bug, please report it with the post"
        default: return "Slack refused the message"
        }
    }
}
