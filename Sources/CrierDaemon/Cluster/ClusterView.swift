import CrierCore
import Foundation

/// What `crier status` shows of a store shared by several daemons: every node with its last
/// heartbeat and the deliveries it holds, and the pending work of the whole cluster per channel.
public struct ClusterView: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var name: String
        /// The node's queue directory (on its own host).
        public var queue: String
        public var startedAt: Date
        public var heartbeatAt: Date
        /// False once the daemon stopped cleanly (it gave its leases back).
        public var running: Bool
        /// Deliveries it holds under a lease that has not run out.
        public var claims: Int
        /// The latest of those leases.
        public var leaseUntil: Date?
        /// Posts dropped on this node and not finished yet.
        public var pendingPosts: Int

        public init(name: String, queue: String, startedAt: Date, heartbeatAt: Date, running: Bool, claims: Int, leaseUntil: Date?,
                    pendingPosts: Int) {
            self.name = name
            self.queue = queue
            self.startedAt = startedAt
            self.heartbeatAt = heartbeatAt
            self.running = running
            self.claims = claims
            self.leaseUntil = leaseUntil
            self.pendingPosts = pendingPosts
        }

        /// Alive: running, and heard from within `lease` (a node renews its heartbeat every third of it).
        public func isAlive(now: Date, lease: TimeInterval) -> Bool {
            running && now.timeIntervalSince(heartbeatAt) <= lease
        }
    }

    /// The node that asks (its `store.node`).
    public var node: String
    /// The asking node's lease (`store.lease`): a node not heard from for longer is taken for dead.
    public var lease: TimeInterval
    public var nodes: [Node]
    /// Channel → deliveries still to go, on every node.
    public var pendingPerChannel: [String: Int]

    public init(node: String, lease: TimeInterval, nodes: [Node], pendingPerChannel: [String: Int]) {
        self.node = node
        self.lease = lease
        self.nodes = nodes
        self.pendingPerChannel = pendingPerChannel
    }
}
