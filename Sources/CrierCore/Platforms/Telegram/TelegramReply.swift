import Foundation

/// A Bot API answer, read from its JSON: `{"ok":true,"result":…}` or
/// `{"ok":false,"error_code":N,"description":"…","parameters":{"retry_after":N,"migrate_to_chat_id":N}}`.
public struct TelegramReply: Sendable, Equatable {
    public var ok: Bool
    public var errorCode: Int?
    public var description: String?
    /// `parameters.retry_after` (seconds), on 429.
    public var retryAfter: TimeInterval?
    /// `parameters.migrate_to_chat_id`: the group became a supergroup with this id.
    public var migrateToChatID: String?
    /// The sent messages (one for sendMessage/sendPhoto, several for sendMediaGroup).
    public var messages: [TelegramMessage]

    /// nil when the body is not a Bot API answer at all (a proxy's error page).
    public init?(body: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let ok = object["ok"] as? Bool else { return nil }
        self.ok = ok
        errorCode = (object["error_code"] as? NSNumber)?.intValue
        description = (object["description"] as? String).map(ReceiverMessage.clip)
        let parameters = object["parameters"] as? [String: Any]
        retryAfter = (parameters?["retry_after"] as? NSNumber)?.doubleValue
        migrateToChatID = (parameters?["migrate_to_chat_id"] as? NSNumber).map { String($0.int64Value) }
        if let one = object["result"] as? [String: Any] {
            messages = TelegramMessage(one).map { [$0] } ?? []
        } else if let many = object["result"] as? [[String: Any]] {
            messages = many.compactMap(TelegramMessage.init)
        } else {
            messages = []
        }
    }
}
