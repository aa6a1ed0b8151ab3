import Foundation

/// A created Discord message as far as crier needs it: its id, and the jump link
/// `https://discord.com/channels/<guild or @me>/<channel>/<message>` when the guild is known.
public struct DiscordMessage: Sendable, Equatable {
    public var id: String
    public var channelID: String?
    public var guildID: String?

    public init(id: String, channelID: String?, guildID: String?) {
        self.id = id
        self.channelID = channelID
        self.guildID = guildID
    }

    public init?(body: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let id = object["id"] as? String, !id.isEmpty else { return nil }
        self.init(id: id, channelID: object["channel_id"] as? String, guildID: object["guild_id"] as? String)
    }

    /// The jump link, given the guild (from the message, else from the channel's configuration).
    public func reference(guild: String?) -> RemoteReference {
        guard let channelID, let guild = guildID ?? guild else { return RemoteReference(id: id, url: nil) }
        return RemoteReference(id: id, url: "https://discord.com/channels/\(guild)/\(channelID)/\(id)")
    }
}
