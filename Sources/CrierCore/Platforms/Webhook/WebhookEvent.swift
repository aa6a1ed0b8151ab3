import Foundation

/// The JSON body crier POSTs to a generic webhook, in the Standard Webhooks payload shape
/// (`type`, `timestamp`, `data`). Depends only on the delivery, so every retry sends the same bytes.
public struct WebhookEvent: Encodable, Sendable, Equatable {
    public static let type = "post.publish"

    public struct Media: Encodable, Sendable, Equatable {
        public var file: String
        public var alt: String?
    }

    public struct Payload: Encodable, Sendable, Equatable {
        public var post: String
        public var file: String
        public var channel: String
        public var delivery: String
        public var part: Int
        public var parts: Int
        public var text: String
        public var link: String?
        public var tags: [String]
        public var media: [Media]
        public var scheduledAt: String
        public var replyTo: String?

        enum CodingKeys: String, CodingKey {
            case post, file, channel, delivery, part, parts, text, link, tags, media
            case scheduledAt = "scheduled_at"
            case replyTo = "reply_to"
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(post, forKey: .post)
            try container.encode(file, forKey: .file)
            try container.encode(channel, forKey: .channel)
            try container.encode(delivery, forKey: .delivery)
            try container.encode(part, forKey: .part)
            try container.encode(parts, forKey: .parts)
            try container.encode(text, forKey: .text)
            try container.encode(link, forKey: .link)
            try container.encode(tags, forKey: .tags)
            try container.encode(media, forKey: .media)
            try container.encode(scheduledAt, forKey: .scheduledAt)
            try container.encode(replyTo, forKey: .replyTo)
        }
    }

    public var type: String
    public var timestamp: String
    public var data: Payload

    public init(context: DeliveryContext) {
        type = Self.type
        let scheduledAt = TimestampFormat.string(context.scheduledAt)
        timestamp = scheduledAt
        data = Payload(post: context.post.id, file: context.post.file, channel: context.channel.name,
                       delivery: context.deliveryID, part: context.part, parts: context.partCount, text: context.text,
                       link: context.post.link, tags: context.post.tags,
                       media: context.post.media.map { Media(file: $0.file, alt: $0.alt) },
                       scheduledAt: scheduledAt, replyTo: context.replyTo?.id)
    }

    /// Canonical bytes: sorted keys, no escaped slashes — the same bytes `JSONEncoder` writes with
    /// `.sortedKeys` and `.withoutEscapingSlashes`, written by hand because this is on every send.
    public func encoded() -> Data {
        var json = JSONWriter()
        json.raw("{")
        json.key("data")
        json.raw("{")
        json.key("channel"); json.string(data.channel); json.raw(",")
        json.key("delivery"); json.string(data.delivery); json.raw(",")
        json.key("file"); json.string(data.file); json.raw(",")
        json.key("link"); json.optionalString(data.link); json.raw(",")
        json.key("media")
        json.array(data.media) { json, item in
            json.raw("{")
            if let alt = item.alt {
                json.key("alt"); json.string(alt); json.raw(",")
            }
            json.key("file"); json.string(item.file)
            json.raw("}")
        }
        json.raw(",")
        json.key("part"); json.integer(data.part); json.raw(",")
        json.key("parts"); json.integer(data.parts); json.raw(",")
        json.key("post"); json.string(data.post); json.raw(",")
        json.key("reply_to"); json.optionalString(data.replyTo); json.raw(",")
        json.key("scheduled_at"); json.string(data.scheduledAt); json.raw(",")
        json.key("tags"); json.array(data.tags) { $0.string($1) }; json.raw(",")
        json.key("text"); json.string(data.text)
        json.raw("},")
        json.key("timestamp"); json.string(timestamp); json.raw(",")
        json.key("type"); json.string(type)
        json.raw("}")
        return Data(json.bytes)
    }

    /// The same event through `JSONEncoder`, for tests that hold `encoded()` to it.
    public func encodedWithFoundation() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }
}
