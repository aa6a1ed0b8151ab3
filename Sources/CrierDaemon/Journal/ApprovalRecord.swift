import Foundation

/// A post's approval state on one channel. The daemon writes `pending` (with the content hash of
/// the variant it would send and the planned time) when a post needs approval; `crier approve` writes
/// `approved` with the hash of the variant the approver was shown, `crier reject` writes `rejected`.
/// A delivery goes out only when the row is `approved` for the very variant the daemon would send.
public struct ApprovalRecord: Sendable, Equatable {
    public enum State: String, Sendable {
        case pending, approved, rejected
    }

    public var postID: String
    public var channel: String
    public var state: State
    public var contentHash: String
    /// Who approved or rejected (nil while pending).
    public var actor: String?
    public var at: Date
    /// `--note` of an approval, `--reason` of a rejection.
    public var note: String?
    /// When the daemon plans to send it (pending rows).
    public var plannedAt: Date?

    public init(postID: String, channel: String, state: State, contentHash: String, actor: String? = nil, at: Date,
                note: String? = nil, plannedAt: Date? = nil) {
        self.postID = postID
        self.channel = channel
        self.state = state
        self.contentHash = contentHash
        self.actor = actor
        self.at = at
        self.note = note
        self.plannedAt = plannedAt
    }

    /// Whether this row lets the variant with `hash` go out.
    public func approves(_ hash: String) -> Bool {
        state == .approved && contentHash == hash
    }
}
