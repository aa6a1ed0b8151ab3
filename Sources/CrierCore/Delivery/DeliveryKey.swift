/// Identifies one send: a post, one of its channels, one part (threads have several; 1-based).
public struct DeliveryKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var post: String
    public var channel: String
    public var part: Int

    public init(post: String, channel: String, part: Int) {
        self.post = post
        self.channel = channel
        self.part = part
    }

    public static func < (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool {
        (lhs.post, lhs.channel, lhs.part) < (rhs.post, rhs.channel, rhs.part)
    }

    public var description: String { "\(post)/\(channel)/\(part)" }
}
