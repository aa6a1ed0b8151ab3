import Foundation

/// A post another node took in, as this node learns of it (`ClusterCoordinator.remotePosts`).
public struct RemotePost: Sendable, Equatable {
    public var id: String
    public var file: String
    public var contentHash: String
    public var origin: String
    /// Still pending (else it is finished and this node forgets it).
    public var pending: Bool
    public var earliestPendingDue: Date?
    public var pendingDeliveries: Int
}
