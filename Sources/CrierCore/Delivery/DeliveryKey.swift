/// Identifies one send: a post, one of its channels, one part (threads have several; 1-based).
public struct DeliveryKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let post: String
    public let channel: String
    public let part: Int
    /// Hashed once when the key is made: the engine looks a delivery up in several dictionaries on
    /// every step, and hashing two strings each time showed up in profiles.
    private let hash: Int

    public init(post: String, channel: String, part: Int) {
        self.post = post
        self.channel = channel
        self.part = part
        var hasher = Hasher()
        hasher.combine(post)
        hasher.combine(channel)
        hasher.combine(part)
        hash = hasher.finalize()
    }

    public static func == (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool {
        lhs.hash == rhs.hash && lhs.part == rhs.part && lhs.post == rhs.post && lhs.channel == rhs.channel
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    /// By post, then channel, then part (field by field: a tuple comparison would copy the strings).
    public static func < (lhs: DeliveryKey, rhs: DeliveryKey) -> Bool {
        if lhs.post != rhs.post { return lhs.post < rhs.post }
        if lhs.channel != rhs.channel { return lhs.channel < rhs.channel }
        return lhs.part < rhs.part
    }

    public var description: String { "\(post)/\(channel)/\(part)" }
}
