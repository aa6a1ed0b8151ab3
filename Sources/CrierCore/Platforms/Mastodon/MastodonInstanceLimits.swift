import Foundation

/// An instance's own limits, read from `GET /api/v2/instance` → `configuration`
/// (docs.joinmastodon.org/entities/Instance/#configuration) by `crier check --online` and kept in
/// the channel's session (so the daemon can refuse a post the instance would refuse, with a clear
/// message, before any upload).
public struct MastodonInstanceLimits: Sendable, Equatable {
    public var maxCharacters: Int?
    public var charactersReservedPerURL: Int?
    public var maxMediaAttachments: Int?
    public var imageSizeLimit: Int?
    public var videoSizeLimit: Int?
    public var descriptionLimit: Int?

    /// The session value names.
    static let names = ["max_characters", "characters_reserved_per_url", "max_media_attachments", "image_size_limit",
                        "video_size_limit", "description_limit"]

    public init(maxCharacters: Int? = nil, charactersReservedPerURL: Int? = nil, maxMediaAttachments: Int? = nil,
                imageSizeLimit: Int? = nil, videoSizeLimit: Int? = nil, descriptionLimit: Int? = nil) {
        self.maxCharacters = maxCharacters
        self.charactersReservedPerURL = charactersReservedPerURL
        self.maxMediaAttachments = maxMediaAttachments
        self.imageSizeLimit = imageSizeLimit
        self.videoSizeLimit = videoSizeLimit
        self.descriptionLimit = descriptionLimit
    }

    /// From the instance document's JSON.
    public init(instanceJSON data: Data) {
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let configuration = json["configuration"] as? [String: Any] ?? [:]
        let statuses = configuration["statuses"] as? [String: Any] ?? [:]
        let media = configuration["media_attachments"] as? [String: Any] ?? [:]
        func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }
        self.init(maxCharacters: int(statuses["max_characters"]), charactersReservedPerURL: int(statuses["characters_reserved_per_url"]),
                  maxMediaAttachments: int(statuses["max_media_attachments"]), imageSizeLimit: int(media["image_size_limit"]),
                  videoSizeLimit: int(media["video_size_limit"]), descriptionLimit: int(media["description_limit"]))
    }

    /// From the values a session keeps (unset or unreadable values are nil, so a placeholder
    /// session reads as "no limits known").
    public init(session: ChannelSession) {
        func int(_ name: String) -> Int? { session.values[name].flatMap { Int($0) } }
        self.init(maxCharacters: int("max_characters"), charactersReservedPerURL: int("characters_reserved_per_url"),
                  maxMediaAttachments: int("max_media_attachments"), imageSizeLimit: int("image_size_limit"),
                  videoSizeLimit: int("video_size_limit"), descriptionLimit: int("description_limit"))
    }

    /// The values to keep in a session.
    public var sessionValues: [String: String] {
        var values: [String: String] = [:]
        let all = [maxCharacters, charactersReservedPerURL, maxMediaAttachments, imageSizeLimit, videoSizeLimit, descriptionLimit]
        for (name, value) in zip(Self.names, all) { if let value { values[name] = String(value) } }
        return values
    }

    /// "500 characters, 4 media, images up to 16 MB" — for `crier check --online`.
    public var summary: String {
        var parts: [String] = []
        if let maxCharacters { parts.append("\(maxCharacters) characters") }
        if let maxMediaAttachments { parts.append("\(maxMediaAttachments) media") }
        if let imageSizeLimit { parts.append("images up to \(imageSizeLimit) bytes") }
        if let descriptionLimit { parts.append("alt text up to \(descriptionLimit) characters") }
        return parts.isEmpty ? "no limits given" : parts.joined(separator: ", ")
    }

    /// What the instance would refuse in this delivery, or nil.
    public func problem(in context: DeliveryContext) -> String? {
        let channel = context.channel.name
        if let maxCharacters, context.rendered.length > maxCharacters, context.channel.lengthLimit == nil {
            return "channel '\(channel)': the post is \(context.rendered.length) characters and the instance takes \(maxCharacters) "
                + "(read by `crier check --online`): shorten it, or set `limit: \(maxCharacters)` on the channel so crier threads or truncates it"
        }
        let media = context.part == 1 ? context.media : []
        if let maxMediaAttachments, media.count > maxMediaAttachments {
            return "channel '\(channel)': \(media.count) media files; the instance takes at most \(maxMediaAttachments) per post: remove some"
        }
        for item in media {
            if let limit = item.isVideo ? videoSizeLimit : imageSizeLimit, item.byteCount > limit {
                return "channel '\(channel)': \(item.file) is \(item.byteCount) bytes; the instance takes \(item.isVideo ? "videos" : "images") up to \(limit) bytes: make it smaller"
            }
            if let descriptionLimit, let alt = item.alt, alt.count > descriptionLimit {
                return "channel '\(channel)': the alt text of \(item.file) is \(alt.count) characters; the instance takes \(descriptionLimit): shorten it"
            }
        }
        return nil
    }
}
