import Foundation

/// The body of `POST /api/v1/statuses` (docs.joinmastodon.org/methods/statuses/#create): the text,
/// attached media ids, the status it replies to, and the channel's and post's options.
public struct MastodonStatusDraft: Sendable, Equatable {
    public var status: String
    public var mediaIDs: [String]
    public var inReplyToID: String?
    public var visibility: String?
    public var sensitive: Bool?
    public var spoilerText: String?
    public var language: String?

    public init(status: String, mediaIDs: [String] = [], inReplyToID: String? = nil, visibility: String? = nil,
                sensitive: Bool? = nil, spoilerText: String? = nil, language: String? = nil) {
        self.status = status
        self.mediaIDs = mediaIDs
        self.inReplyToID = inReplyToID
        self.visibility = visibility
        self.sensitive = sensitive
        self.spoilerText = spoilerText
        self.language = language
    }

    /// JSON with sorted keys; absent options are left out (the server's or account's defaults apply).
    public func json() -> Data {
        var object: [String: Any] = ["status": status]
        if !mediaIDs.isEmpty { object["media_ids"] = mediaIDs }
        if let inReplyToID { object["in_reply_to_id"] = inReplyToID }
        if let visibility { object["visibility"] = visibility }
        if let sensitive { object["sensitive"] = sensitive }
        if let spoilerText { object["spoiler_text"] = spoilerText }
        if let language { object["language"] = language }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
