import Foundation

/// Turns Mastodon's error answers (`{"error": "…"}`, docs.joinmastodon.org/entities/Error) into
/// what crier does and says: which are permanent, which are worth another try, and what to fix.
public enum MastodonErrorReader {
    /// The server's own words (`error`, with `error_description` when given).
    public static func message(_ response: TransportResponse) -> String {
        ReceiverMessage.summary(of: response)
    }

    /// Whether a 422 on `POST /api/v1/statuses` says attached media are still being processed
    /// (`media_attachments.validations.not_ready`: "Cannot attach files that have not finished
    /// processing. Try again in a moment!").
    public static func isMediaNotReady(_ response: TransportResponse) -> Bool {
        guard response.status == 422 else { return false }
        let text = message(response).lowercased()
        return text.contains("not finished processing") || text.contains("not_ready") || text.contains("not ready")
    }

    /// The answer to an error status of any step; `what` names the request for the message
    /// ("the post", "media/a.png"). 429 and 5xx follow the generic rules (retried; the rate-limit
    /// headers hold the channel until their reset).
    public static func answer(_ response: TransportResponse, channel: String, what: String, replyTo: String?) -> StepAnswer {
        let said = message(response)
        switch response.status {
        case 401:
            return .failed("HTTP 401: \(said) — the instance does not accept channel '\(channel)''s token (revoked, expired or mistyped): "
                + "create an access token with write:statuses and write:media (Preferences → Development) and put it in the token secret")
        case 403:
            return .failed("HTTP 403: \(said) — the instance refuses \(what) on channel '\(channel)': the account may be suspended, "
                + "limited or not yet approved, or the token lacks write:statuses/write:media; check the account and the token's scopes")
        case 404:
            if let replyTo {
                return .failed("HTTP 404: \(said) — the status this part replies to (\(replyTo)) is gone on channel '\(channel)' "
                    + "(deleted?); the rest of the thread cannot be attached to it")
            }
            return .failed("HTTP 404: \(said) — no Mastodon API for \(what) at channel '\(channel)''s url; check `url:` (the instance, e.g. https://fosstodon.org)")
        case 413:
            return .failed("HTTP 413: \(said) — \(what) is larger than channel '\(channel)''s instance accepts: make it smaller")
        case 422:
            return .failed("HTTP 422: \(said) — the instance refused \(what) on channel '\(channel)'; fix the post and `crier retry` it")
        case 200..<300:
            // A success this step does not expect (a 204 to an upload, a 201 to a status poll) says
            // nothing was done that a later step can use: the generic rules would call the delivery
            // sent. Every Mastodon step is safe to repeat (uploads, polls, a create with its key).
            return .retry("HTTP \(response.status): \(said) — channel '\(channel)''s instance answered \(what) with a status crier does not expect here", after: nil)
        default:
            return .standard
        }
    }
}
