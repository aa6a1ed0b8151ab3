import Foundation

/// A pause set with `crier pause` (or by the circuit breaker): who paused what, when and why.
public struct PauseRecord: Sendable, Equatable, Encodable {
    /// `*` for everything, else a channel name.
    public var scope: String
    public var reason: String
    public var pausedBy: String
    public var pausedAt: Date

    public init(scope: String, reason: String, pausedBy: String, pausedAt: Date) {
        self.scope = scope
        self.reason = reason
        self.pausedBy = pausedBy
        self.pausedAt = pausedAt
    }

    /// In a store shared by several daemons, a node's `queue/PAUSE` file pauses every node: it is
    /// published as the pause of scope `PAUSE@<node>` while the file is there.
    public static let pauseFileScopePrefix = "PAUSE@"

    enum CodingKeys: String, CodingKey {
        case scope, reason
        case pausedBy = "paused_by"
        case pausedAt = "paused_at"
    }
}
