/// One part of a rendered variant: the exact text that would be sent and its length, counted the way
/// its platform counts, against that platform's limit.
public struct PreviewPart: Sendable, Equatable, Encodable {
    public var text: String
    public var length: Int
    /// The platform's limit; nil when it has none that crier knows of (generic webhooks).
    public var limit: Int?
    /// The part's first request, when the preview was asked for requests (`--requests`).
    public var request: PreviewRequest?

    public init(text: String, length: Int, limit: Int?, request: PreviewRequest? = nil) {
        self.text = text
        self.length = length
        self.limit = limit
        self.request = request
    }

    public var isOverLimit: Bool {
        limit.map { length > $0 } ?? false
    }

    enum CodingKeys: String, CodingKey {
        case text, length, limit
    }

    /// Writes `limit` as an explicit null, as docs/formats.md shows.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(length, forKey: .length)
        try container.encode(limit, forKey: .limit)
    }
}
