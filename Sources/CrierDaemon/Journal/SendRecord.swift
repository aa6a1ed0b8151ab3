import Foundation

/// One send on a channel: when it started, what, and for which delivery.
public struct SendRecord: Sendable, Equatable {
    public var channel: String
    public var at: Date
    public var postID: String
    public var deliveryID: String
    /// The text sent (for the near-duplicate guard).
    public var text: String

    public init(channel: String, at: Date, postID: String, deliveryID: String, text: String) {
        self.channel = channel
        self.at = at
        self.postID = postID
        self.deliveryID = deliveryID
        self.text = text
    }
}
