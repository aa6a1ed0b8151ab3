import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// `PostgresCluster`, the coordinator of several daemons on one database: claims (a live lease of
/// another node is respected, an expired one is not; a stale view is answered with the journal's
/// record), the per-channel reservation that keeps a throttled channel's gap across nodes, the
/// heartbeat that renews a live node's leases, and the listener that tells a node of control
/// changes and posts made elsewhere. Two journals with two node names on one fresh database play
/// the two nodes.
@Suite struct PostgresClusterTests {
    static let utc = TimeZone(identifier: "UTC")!

    /// A first request on a channel with a minimum gap of 60 s between sends.
    func reservation(for record: DeliveryRecord, now: Date, text: String = "hello") -> SendClaim.Reservation {
        SendClaim.Reservation(send: SendRecord(channel: record.key.channel, at: now, postID: record.key.post, deliveryID: record.id, text: text),
                              limits: ChannelLimits(minGap: 60), duplicates: DuplicateSettings(policy: .allow), timeZone: Self.utc)
    }

    func claim(_ record: DeliveryRecord, on cluster: any ClusterCoordinator, now: Date, throttled: Bool = false,
               contentHash: String? = nil) -> SendClaim.Answer {
        cluster.claim(SendClaim(record: record, contentHash: contentHash ?? "h-" + record.key.post, now: now,
                                reservation: throttled ? reservation(for: record, now: now) : nil))
    }

    @Test func twoNodesClaimingOneDeliveryOfAThrottledChannelAtOnceOneGetsItAndTheGapHoldsAcrossNodes() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a", lease: 600)
        let b = try store.postgres(node: "node-b", lease: 600)
        let first = journalDelivery("d_1", post: "p")
        let next = journalDelivery("d_2", post: "q")
        try a.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(first)])
        try b.commitNow([.upsertPost(journalPost("q")), .upsertDelivery(next)])
        let clusters = [try #require(a.cluster), try #require(b.cluster)]
        let journals: [String: PostgresJournal] = ["node-a": a, "node-b": b]

        let now = Date()
        let answers = Recorded<(node: String, answer: SendClaim.Answer)>()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            answers.append((clusters[index].node, claim(first, on: clusters[index], now: now, throttled: true)))
        }
        let granted = answers.all.filter { $0.answer.isGranted }
        try #require(granted.count == 1, "exactly one node gets it: \(answers.all)")
        let winner = granted[0].node
        let loser = try #require(clusters.first { $0.node != winner })
        let refused = try #require(answers.all.first { $0.node == loser.node })
        #expect(refused.answer.laterUntil != nil, "the other is told to look again later: \(refused.answer)")
        #expect(try store.query("SELECT claimed_by FROM delivery WHERE id = 'd_1'") == winner)
        #expect(try store.query("SELECT node || ':' || in_flight::text FROM send_log WHERE delivery_id = 'd_1'") == "\(winner):true",
                "one send reserved, in flight")

        // The loser's next delivery on the channel: the winner's send counts across nodes.
        let asked = Date()
        let held = claim(next, on: loser, now: asked, throttled: true)
        let until = try #require(held.laterUntil, "\(held)")
        #expect(until >= asked.addingTimeInterval(59.999), "min_gap from a send still in flight on another node")
        #expect(held.reason?.contains("all nodes") == true, "\(held)")
        #expect(try store.query("SELECT count(*) FROM send_log WHERE delivery_id = 'd_2'") == "0", "nothing reserved for it")
        #expect(try store.query("SELECT claimed_by IS NULL FROM delivery WHERE id = 'd_2'") == "t", "nor claimed")

        // The winner's request is answered: the gap counts from the completion.
        let completed = Date()
        var sent = first
        sent.apply(.sent(nil, httpStatus: 200), at: completed)
        try #require(journals[winner]).commitNow([.completeSend(deliveryID: "d_1", startedAt: now, completedAt: completed), .updateDelivery(sent)])
        let stillHeld = claim(next, on: loser, now: completed.addingTimeInterval(30), throttled: true)
        #expect(try #require(stillHeld.laterUntil, "\(stillHeld)") >= completed.addingTimeInterval(59.999))
        #expect(claim(next, on: loser, now: completed.addingTimeInterval(61), throttled: true) == .granted, "once the gap has passed")
        #expect(try store.query("SELECT node FROM send_log WHERE delivery_id = 'd_2'") == loser.node)
    }

    @Test func aLiveLeaseOfAnotherNodeIsRespectedAndAnExpiredOneIsNot() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a", lease: 30)
        let b = try store.postgres(node: "node-b", lease: 30)
        let record = journalDelivery("d_1", post: "p")
        try a.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(record)])
        let onA = try #require(a.cluster)
        let onB = try #require(b.cluster)
        let start = Date()

        #expect(claim(record, on: onA, now: start) == .granted)
        let held = claim(record, on: onB, now: start.addingTimeInterval(1))
        #expect(held.laterUntil == start.addingTimeInterval(3), "look again in 2 s, before the lease would end: \(held)")
        #expect(held.reason?.contains("node-a") == true, "\(held)")
        #expect(claim(record, on: onA, now: start.addingTimeInterval(2)) == .granted, "the holder claims its next step, renewing its lease")
        #expect(claim(record, on: onB, now: start.addingTimeInterval(31.5)).laterUntil != nil, "the renewed lease still holds")

        #expect(claim(record, on: onB, now: start.addingTimeInterval(32.5)) == .granted, "a lease that ran out is taken over")
        #expect(try store.query("SELECT claimed_by FROM delivery WHERE id = 'd_1'") == "node-b")
        let lost = claim(record, on: onA, now: start.addingTimeInterval(33))
        #expect(lost.reason?.contains("node-b") == true, "the node that lost it is now held off: \(lost)")
    }

    @Test func aClaimOnAStaleViewIsAnsweredWithTheJournalsRecord() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a")
        let b = try store.postgres(node: "node-b")
        let record = journalDelivery("d_1", post: "p")
        try a.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(record)])
        let onB = try #require(b.cluster)

        var movedOn = record
        movedOn.apply(.retry(at: epoch(400), reason: "503", httpStatus: 503), at: epoch(150))
        try a.commitNow([.updateDelivery(movedOn)])
        #expect(claim(record, on: onB, now: Date()) == .changed(movedOn, contentHash: "h-p"), "another node tried it: here is how it stands")
        #expect(claim(movedOn, on: onB, now: Date(), contentHash: "h-old") == .changed(movedOn, contentHash: "h-p"), "the post was edited")
        #expect(claim(journalDelivery("d_absent", post: "p"), on: onB, now: Date()) == .changed(nil, contentHash: nil))
        var sent = movedOn
        sent.apply(.sent(RemoteReference(id: "9", url: nil), httpStatus: 200), at: epoch(410))
        try a.commitNow([.updateDelivery(sent)])
        #expect(claim(movedOn, on: onB, now: Date()) == .changed(sent, contentHash: "h-p"), "sent elsewhere: never sent again")
        #expect(try store.query("SELECT claimed_by IS NULL FROM delivery WHERE id = 'd_1'") == "t")
    }

    @Test func theHeartbeatOfALiveNodeRenewsItsLeases() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a", lease: 10)
        let b = try store.postgres(node: "node-b", lease: 10)
        let record = journalDelivery("d_1", post: "p")
        try a.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(record)])
        let onA = try #require(a.cluster)
        // Claimed an hour ago: the lease ran out long since, until the heartbeat renews it.
        #expect(claim(record, on: onA, now: Date().addingTimeInterval(-3600)) == .granted)
        onA.start(queueRoot: "/queue/a", onControl: {}, onPosts: {}, onHealth: { _ in })
        defer { onA.stop() }
        #expect(eventually(timeout: 30) {
            (try? store.query("SELECT lease_until > \(Date().timeIntervalSince1970) FROM delivery WHERE id = 'd_1'")) == "t"
        }, "renewed")
        #expect(try store.query("SELECT queue FROM node WHERE name = 'node-a'") == "/queue/a", "the node's row, with its heartbeat")
        let held = claim(record, on: try #require(b.cluster), now: Date())
        #expect(held.reason?.contains("node-a") == true, "a live node keeps what it holds: \(held)")
    }

    @Test func controlChangesAndPostsOfOneNodeReachTheListenerOfAnother() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a")
        let b = try store.postgres(node: "node-b")
        let controls = Recorded<Date>()
        let posts = Recorded<Date>()
        let onA = try #require(a.cluster)
        onA.start(queueRoot: "/queue/a", onControl: { controls.append(Date()) }, onPosts: { posts.append(Date()) }, onHealth: { _ in })
        defer { onA.stop() }
        #expect(eventually(timeout: 30) { !controls.all.isEmpty && !posts.all.isEmpty }, "once when the listener starts listening")

        let beforePause = controls.all.count
        try b.commitNow([.pause(PauseRecord(scope: "*", reason: "stop", pausedBy: "bob", pausedAt: epoch(1)))])
        #expect(eventually(timeout: 30) { controls.all.count > beforePause }, "crier pause on node b reaches node a")
        #expect(try a.pauses()["*"]?.pausedBy == "bob")

        let beforePost = posts.all.count
        try b.commitNow([.upsertPost(journalPost("b1")), .postSource(postID: "b1", data: Data("x".utf8), media: [])])
        #expect(eventually(timeout: 30) { posts.all.count > beforePost }, "a post taken in on node b")

        // A change made without a notification (a command that could not notify) is found by the poll.
        let beforeSilent = controls.all.count
        try store.query("UPDATE control SET version = version + 1 WHERE id = 1")
        #expect(eventually(timeout: 30) { controls.all.count > beforeSilent }, "the once-a-second poll of the control version")
    }
}
