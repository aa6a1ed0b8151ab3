import Foundation

/// `NAME.receipt.json`, written beside a finished post in `sent/`, `failed/` or `cancelled/`:
/// what happened on every channel (docs/formats.md). Never contains secrets.
public struct Receipt: Codable, Sendable, Equatable {
    public struct Delivery: Codable, Sendable, Equatable {
        public var channel: String
        public var part: Int
        public var id: String
        public var status: DeliveryStatus
        public var attempts: Int
        /// When it became final (sent, failed, expired or cancelled).
        public var at: String?
        public var remoteID: String?
        public var remoteURL: String?
        public var httpStatus: Int?
        public var error: String?
        /// Who approved this channel's variant (channels that need approval).
        public var approvedBy: String?

        enum CodingKeys: String, CodingKey {
            case channel, part, id, status, attempts, at, error
            case approvedBy = "approved_by"
            case remoteID = "remote_id"
            case remoteURL = "remote_url"
            case httpStatus = "http_status"
        }

        public init(_ record: DeliveryRecord) {
            channel = record.key.channel
            part = record.key.part
            id = record.id
            status = record.status
            attempts = record.attempts
            at = record.finishedAt.map(TimestampFormat.string)
            remoteID = record.remote?.id
            remoteURL = record.remote?.url
            httpStatus = record.httpStatus
            error = record.status == .sent ? nil : record.error
        }

        /// Writes explicit nulls, as docs/formats.md shows, so readers need not guess at missing keys.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(channel, forKey: .channel)
            try container.encode(part, forKey: .part)
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(at, forKey: .at)
            try container.encode(remoteID, forKey: .remoteID)
            try container.encode(remoteURL, forKey: .remoteURL)
            try container.encode(httpStatus, forKey: .httpStatus)
            try container.encode(error, forKey: .error)
            if let approvedBy { try container.encode(approvedBy, forKey: .approvedBy) }
        }
    }

    public var post: String
    public var file: String
    public var outcome: PostOutcome
    public var deliveries: [Delivery]
    /// Who dropped the post file (its owner), when known.
    public var queuedBy: String?

    enum CodingKeys: String, CodingKey {
        case post, file, outcome, deliveries
        case queuedBy = "queued_by"
    }

    public init(post: String, file: String, records: [DeliveryRecord], queuedBy: String? = nil, approvedBy: [String: String] = [:]) {
        self.queuedBy = queuedBy
        self.post = post
        self.file = file
        let sorted = records.sorted { $0.key < $1.key }
        self.outcome = PostOutcome.of(sorted.map(\.status)) ?? .failed
        self.deliveries = sorted.map { record in
            var delivery = Delivery(record)
            delivery.approvedBy = approvedBy[record.key.channel]
            return delivery
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(post, forKey: .post)
        try container.encode(file, forKey: .file)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(deliveries, forKey: .deliveries)
        try container.encode(queuedBy, forKey: .queuedBy)
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }
}
