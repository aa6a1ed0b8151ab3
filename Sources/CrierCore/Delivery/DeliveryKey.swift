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

    /// By post, then channel, then part (field by field: a tuple comparison would copy the strings).
    public static func < (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool {
        if lhs.post != rhs.post { return lhs.post < rhs.post }
        if lhs.channel != rhs.channel { return lhs.channel < rhs.channel }
        return lhs.part < rhs.part
    }

    public var description: String { "\(post)/\(channel)/\(part)" }
}
