import CrierCore
import Foundation

/// What the engine asks of a store shared by several daemons (`store: postgres`): the right to
/// send, and the posts other nodes took in. A single daemon on SQLite has none (`Journal.cluster`
/// is nil) and the engine decides alone.
///
/// Every step of a delivery is claimed before its request goes out (`claim`), in one transaction
/// that checks the delivery is still what this node believes (nobody sent it, nobody moved it on,
/// nobody holds it under a live lease), and — for the first step on a throttled channel — checks the
/// channel's history across all nodes and reserves the send. The claim carries a lease that the
/// node renews while it lives; a node that dies loses its leases and another node takes the
/// delivery over from its last journaled step.
public protocol ClusterCoordinator: AnyObject, Sendable {
    /// This daemon's node name.
    var node: String { get }
    /// How long a claim holds without renewal.
    var lease: TimeInterval { get }
    /// Claims one step of a delivery (blocking: one short transaction).
    func claim(_ claim: SendClaim) -> SendClaim.Answer
    /// Pending posts dropped on other nodes whose row changed after `watermark` (a sequence the
    /// store hands out), and the new watermark.
    func remotePosts(after watermark: Int64) throws(JournalError) -> (posts: [RemotePost], watermark: Int64)
    /// What was kept of a post for the other nodes: its file's bytes as the node that took it in read
    /// them, and its media files (nil if the post or its source is not there).
    func content(ofPost id: String) throws(JournalError) -> SharedPostContent?
    /// Starts renewing this node's leases and heartbeat, and watching for control changes and new
    /// posts: `onControl` runs when pauses, resolutions, approvals or channel states changed
    /// anywhere, `onPosts` when another node took in or finished a post, `onHealth` with the
    /// problem when the database cannot be reached (nil when it can again).
    func start(queueRoot: String, onControl: @escaping @Sendable () -> Void, onPosts: @escaping @Sendable () -> Void,
               onHealth: @escaping @Sendable (String?) -> Void)
    /// Stops the timers and the listener and marks the node stopped (leases are left to expire, or
    /// released when final). Called once in-flight work has drained.
    func stop()
}
