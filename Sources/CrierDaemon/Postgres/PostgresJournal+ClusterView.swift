import CrierCore
import Foundation

extension PostgresJournal {
    /// Every node that ever ran on this database (its heartbeat, whether it stopped cleanly, the
    /// deliveries it holds under a live lease, its unfinished posts) and the pending deliveries of
    /// the whole cluster per channel.
    public func clusterView(now: Date) throws(JournalError) -> ClusterView? {
        let lease = cluster?.lease ?? 10
        return try read { db throws(PostgresError) in
            let nodes = try db.query("""
                SELECT n.name, n.queue, n.started_at, n.heartbeat_at, n.connected,
                    (SELECT COUNT(*) FROM delivery d WHERE d.claimed_by = n.name AND d.lease_until >= $1 AND d.status IN ('pending', 'unknown')),
                    (SELECT MAX(d.lease_until) FROM delivery d WHERE d.claimed_by = n.name AND d.lease_until >= $1
                        AND d.status IN ('pending', 'unknown')),
                    (SELECT COUNT(*) FROM post p WHERE p.origin = n.name AND p.state = 'pending')
                FROM node n ORDER BY n.name
                """, [now]).map { row in
                ClusterView.Node(name: row.string(0), queue: row.string(1), startedAt: row.date(2) ?? now, heartbeatAt: row.date(3) ?? now,
                                 running: row.bool(4), claims: row.int(5) ?? 0, leaseUntil: row.date(6), pendingPosts: row.int(7) ?? 0)
            }
            var pending: [String: Int] = [:]
            for row in try db.query("""
                SELECT d.channel, COUNT(*) FROM delivery d JOIN post p ON p.id = d.post_id
                WHERE p.state = 'pending' AND d.status = 'pending' GROUP BY d.channel
                """) {
                pending[row.string(0)] = row.int(1) ?? 0
            }
            return ClusterView(node: node, lease: lease, nodes: nodes, pendingPerChannel: pending)
        }
    }
}
