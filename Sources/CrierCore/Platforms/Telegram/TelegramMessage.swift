import Foundation

/// A sent Telegram message as far as crier needs it: its id and chat, and the public `t.me` link
/// where there is one (a chat with a username, or a supergroup or channel by its id).
public struct TelegramMessage: Sendable, Equatable {
    public var id: Int64
    public var chatID: Int64
    public var chatUsername: String?

    public init(id: Int64, chatID: Int64, chatUsername: String?) {
        self.id = id
        self.chatID = chatID
        self.chatUsername = chatUsername
    }

    init?(_ object: [String: Any]) {
        guard let id = (object["message_id"] as? NSNumber)?.int64Value,
              let chat = object["chat"] as? [String: Any], let chatID = (chat["id"] as? NSNumber)?.int64Value else { return nil }
        self.init(id: id, chatID: chatID, chatUsername: chat["username"] as? String)
    }

    /// `https://t.me/<username>/<id>`, or `https://t.me/c/<id without -100>/<id>` for a private
    /// supergroup or channel; nil for private chats and basic groups, which have no links.
    public var url: String? {
        if let chatUsername, !chatUsername.isEmpty { return "https://t.me/\(chatUsername)/\(id)" }
        let chat = String(chatID)
        guard chat.hasPrefix("-100"), chat.count > 4 else { return nil }
        return "https://t.me/c/\(chat.dropFirst(4))/\(id)"
    }

    public var reference: RemoteReference { RemoteReference(id: String(id), url: url) }
}
