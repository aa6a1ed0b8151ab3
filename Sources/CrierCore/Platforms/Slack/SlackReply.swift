import Foundation

/// A Slack Web API answer: `{"ok":true,…}` or `{"ok":false,"error":"not_in_channel"}` (errors come
/// with HTTP 200).
public struct SlackReply: Sendable, Equatable {
    public var ok: Bool
    public var error: String?
    /// `chat.postMessage`: the message's timestamp, its id within the channel.
    public var ts: String?
    /// `chat.postMessage`: the channel id the message went to.
    public var channel: String?
    /// `chat.getPermalink`.
    public var permalink: String?
    /// `auth.test`: the bot's user name and team.
    public var user: String?
    public var team: String?
    /// `files.getUploadURLExternal`.
    public var uploadURL: String?
    public var fileID: String?
    /// `files.info`: the ts of the message that shared the file in each channel.
    public var shares: [String: String]

    /// nil when the body is not a Web API answer at all.
    public init?(body: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any], let ok = object["ok"] as? Bool else {
            return nil
        }
        self.ok = ok
        error = (object["error"] as? String).map(ReceiverMessage.clip)
        ts = object["ts"] as? String
        channel = object["channel"] as? String
        permalink = object["permalink"] as? String
        user = object["user"] as? String
        team = object["team"] as? String
        uploadURL = object["upload_url"] as? String
        fileID = object["file_id"] as? String
        var shares: [String: String] = [:]
        let byVisibility = (object["file"] as? [String: Any])?["shares"] as? [String: Any] ?? [:]
        for visibility in ["public", "private"] {
            for (channel, list) in byVisibility[visibility] as? [String: Any] ?? [:] {
                if let ts = (list as? [[String: Any]])?.first?["ts"] as? String { shares[channel] = ts }
            }
        }
        self.shares = shares
    }
}
