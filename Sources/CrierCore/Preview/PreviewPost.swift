/// One post file in a preview: its id, where it lives, and one delivery per selected channel.
public struct PreviewPost: Sendable, Equatable, Encodable {
    public var id: String
    /// The post file's path as the user should see it, e.g. `queue/launch.md`.
    public var file: String
    /// File-level problems (unparseable, unknown channel, media outside the queue, ...); each one makes
    /// the preview exit with status 1.
    public var errors: [String]
    public var deliveries: [PreviewDelivery]

    public init(id: String, file: String, errors: [String] = [], deliveries: [PreviewDelivery] = []) {
        self.id = id
        self.file = file
        self.errors = errors
        self.deliveries = deliveries
    }

    enum CodingKeys: String, CodingKey {
        case id, file, errors, deliveries
    }
}
