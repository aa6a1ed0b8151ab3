import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// What the PostgreSQL journal does that SQLite's does not, on a fresh migrated database per test:
/// each post belongs to the node it was dropped on, the post's source is kept for the other nodes,
/// a `sent` delivery stays sent, a live lease keeps other writers off a delivery, sends in flight
/// are kept, and control changes bump the control version.
@Suite struct PostgresJournalTests {
    @Test func aNodeRestoresOnlyThePostsDroppedOnItButReadsAndReportsEveryNodesPosts() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a")
        let b = try store.postgres(node: "node-b")
        try a.commitNow([.upsertPost(journalPost("a1")), .upsertDelivery(journalDelivery("d_a1", post: "a1"))])
        try b.commitNow([.upsertPost(journalPost("b1")), .upsertDelivery(journalDelivery("d_b1", post: "b1", dueAt: epoch(50)))])

        #expect(try a.unfinishedPosts().map(\.0.id) == ["a1"])
        #expect(try a.unfinishedSchedule().map(\.id) == ["a1"])
        #expect(try b.unfinishedPosts().map(\.0.id) == ["b1"])
        #expect(try b.unfinishedSchedule().map(\.id) == ["b1"])
        #expect(try a.post(id: "b1")?.0 == store.stored(journalPost("b1"), origin: "node-b"), "any node reads any post, with its origin")
        #expect(try a.posts(ids: ["a1", "b1"]).mapValues(\.0.origin) == ["a1": "node-a", "b1": "node-b"])
        #expect(try a.postCounts() == [.pending: 2])
        #expect(try a.nextDuePerChannel() == ["ops": epoch(50)], "reports cover every node")
        #expect(try a.pendingDues(channel: "ops").sorted() == [epoch(50), epoch(100)], "slots given out on every node")

        var hijack = journalPost("a1", state: .cancelled)
        hijack.file = "elsewhere.md"
        try b.commitNow([.upsertPost(hijack)])
        #expect(try a.post(id: "a1")?.0 == store.stored(journalPost("a1"), origin: "node-a"),
                "a post row belongs to its origin: another node's write of the same id changes nothing")
        try a.commitNow([.upsertPost(journalPost("a1", state: .sent))])
        #expect(try a.unfinishedPosts().isEmpty, "the origin files it")

        let directory = TemporaryDirectory()
        let sqlite = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        try sqlite.commitNow([.upsertPost(journalPost("a1"))])
        #expect(try sqlite.unfinishedPosts().map(\.0.origin) == [nil], "SQLite has no origins: a restart resumes every post")
    }

    @Test func thePostSourceAndMediaRoundTripByteForByteAndOtherNodesLearnOfThePost() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a")
        let b = try store.postgres(node: "node-b")
        let bytes = Data((0...255).map { UInt8($0) } + Array("---\nchannels: [ops]\n---\ncafé ✓ 'x' \\ \"y\"\n".utf8))
        // An image's worth of every byte value, and a file in a subdirectory with a space in its name:
        // the journal reads each file when it writes the post.
        let image = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
        let queue = TemporaryDirectory()
        func file(_ name: String, _ bytes: Data) -> SharedMediaFile {
            let path = queue.path + "/" + name
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: path, contents: bytes)
            return SharedMediaFile(file: name, path: path)
        }
        let media = [file("img/launch day.png", image), file("b.gif", Data([0, 1, 0])),
                     SharedMediaFile(file: "gone.png", path: queue.path + "/gone.png")]
        try a.commitNow([.upsertPost(journalPost("a1")), .postSource(postID: "a1", data: bytes, media: media),
                         .upsertPost(journalPost("a2")), .postSource(postID: "a2", data: Data(), media: []),
                         .upsertPost(journalPost("a3"))])
        let cluster = try #require(b.cluster)
        #expect(try cluster.content(ofPost: "a1") == SharedPostContent(source: bytes, media: [
                    StoredMediaFile(file: "b.gif", bytes: Data([0, 1, 0])), StoredMediaFile(file: "img/launch day.png", bytes: image)]),
                "every byte value, NUL and invalid UTF-8 included; media ordered by file; a file gone before the write left out")
        #expect(try cluster.content(ofPost: "a2") == SharedPostContent(source: Data(), media: []))
        #expect(try cluster.content(ofPost: "a3") == nil, "a post without its source")
        #expect(try cluster.content(ofPost: "absent") == nil)

        let (remote, watermark) = try cluster.remotePosts(after: 0)
        #expect(remote.map(\.id).sorted() == ["a1", "a2"], "the other nodes learn of the posts whose source they can read")
        #expect(remote.first { $0.id == "a1" } == RemotePost(id: "a1", file: "a1.md", contentHash: "h-a1", origin: "node-a", pending: true,
                                                             earliestPendingDue: nil, pendingDeliveries: 0))
        #expect(try #require(a.cluster).remotePosts(after: 0).posts.isEmpty, "a node's own posts are not remote to it")
        #expect(try cluster.remotePosts(after: watermark).posts.isEmpty)

        try b.commitNow([.postSource(postID: "a1", data: Data("forged".utf8), media: [file("evil.png", Data([1]))])])
        #expect(try cluster.content(ofPost: "a1")?.source == bytes, "only the origin writes a post's source")
        #expect(try cluster.content(ofPost: "a1")?.media.map(\.file) == ["b.gif", "img/launch day.png"], "… and its media")

        // An edit replaces the media as a whole.
        try a.commitNow([.postSource(postID: "a1", data: Data("edited".utf8), media: [file("b.gif", Data([9, 9]))])])
        #expect(try cluster.content(ofPost: "a1") == SharedPostContent(source: Data("edited".utf8), media: [StoredMediaFile(file: "b.gif", bytes: Data([9, 9]))]))

        try a.commitNow([.upsertPost(journalPost("a1", state: .sent))])
        let next = try cluster.remotePosts(after: watermark)
        #expect(next.posts.map(\.id) == ["a1"], "a post changed after the watermark is handed out again")
        #expect(next.posts.first?.pending == false)
        #expect(try cluster.content(ofPost: "a1")?.media == [], "a finished post's media leave the database")
        #expect(try store.query("SELECT count(*) FROM post_media") == "0")

        let directory = TemporaryDirectory()
        let sqlite = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        try sqlite.commitNow([.upsertPost(journalPost("a1")), .postSource(postID: "a1", data: bytes, media: media)])
        #expect(sqlite.cluster == nil, "SQLite ignores .postSource: the files are in the queue, and there is no cluster to read them")
        #expect(try sqlite.post(id: "a1")?.0 == journalPost("a1"))
    }

    @Test func aDeliveryJournaledAsSentIsNeverOverwrittenByALaterNonFinalWrite() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a")
        let b = try store.postgres(node: "node-b")
        let pending = journalDelivery("d_1", post: "p")
        try a.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(pending)])
        var sent = pending
        sent.apply(.sent(RemoteReference(id: "42", url: "https://example.org/42"), httpStatus: 200), at: epoch(200))
        try a.commitNow([.updateDelivery(sent)])

        var retry = pending
        retry.apply(.retry(at: epoch(500), reason: "timeout", httpStatus: nil), at: epoch(190))
        var failed = pending
        failed.apply(.failed(reason: "HTTP 500", httpStatus: 500), at: epoch(210))
        var unknown = pending
        unknown.apply(.unknown(reason: "no answer"), at: epoch(210))
        for stale in [retry, failed, unknown, pending] {
            try b.commitNow([.updateDelivery(stale)])
            try b.commitNow([.upsertDelivery(stale)])
            #expect(try b.post(id: "p")?.1 == [sent], "another node's \(stale.status.rawValue) write")
        }
        a.commit([.updateDelivery(retry)])
        a.waitForPendingCommits()
        #expect(try a.post(id: "p")?.1 == [sent], "nor a stale write of the node that sent it")
        #expect(try a.unknownDeliveries().isEmpty)
        #expect(try a.unfinishedSchedule().first?.pendingDeliveries == 0)
    }

    @Test func aLiveLeaseOfAnotherNodeKeepsItsDeliveryFromOtherWritersAndAnExpiredOneDoesNot() throws {
        let store = try JournalFixture(.postgres)
        let a = try store.postgres(node: "node-a", lease: 600)
        let b = try store.postgres(node: "node-b", lease: 600)
        let record = journalDelivery("d_1", post: "p")
        let second = journalDelivery("d_2", post: "p", part: 2)
        try a.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(record), .upsertDelivery(second)])
        let claims = try #require(a.cluster)
        #expect(claims.claim(SendClaim(record: record, contentHash: "h-p", now: Date(), reservation: nil)) == .granted)
        #expect(try store.query("SELECT claimed_by FROM delivery WHERE id = 'd_1'") == "node-a")

        var byB = record
        byB.apply(.retry(at: epoch(900), reason: "b tried too", httpStatus: 503), at: epoch(150))
        try b.commitNow([.updateDelivery(byB), .upsertDelivery(byB)])
        #expect(try a.post(id: "p")?.1.first == record, "node b's write is left out while node a's lease lives")

        var byA = record
        byA.apply(.advanced(httpStatus: 200), at: epoch(160))
        byA.progress = DeliveryProgress(values: ["id": "1"], done: ["create"])
        try a.commitNow([.updateDelivery(byA)])
        #expect(try a.post(id: "p")?.1.first == byA, "the holder writes")
        #expect(try store.query("SELECT claimed_by FROM delivery WHERE id = 'd_1'") == "node-a", "a pending state keeps the claim")
        byA.apply(.sent(nil, httpStatus: 200), at: epoch(170))
        try a.commitNow([.updateDelivery(byA)])
        #expect(try store.query("SELECT claimed_by IS NULL AND lease_until IS NULL FROM delivery WHERE id = 'd_1'") == "t",
                "a final state releases the claim")

        // A claim made an hour ago with a 600 s lease: it ran out 50 minutes ago.
        #expect(claims.claim(SendClaim(record: second, contentHash: "h-p", now: Date().addingTimeInterval(-3600), reservation: nil)) == .granted)
        #expect(try store.query("SELECT claimed_by FROM delivery WHERE id = 'd_2'") == "node-a")
        var late = second
        late.apply(.failed(reason: "b gave up", httpStatus: 400), at: epoch(180))
        try b.commitNow([.updateDelivery(late)])
        #expect(try a.post(id: "p")?.1.last == late, "a lease that ran out holds nothing back")
    }

    @Test func aSendStillInFlightIsNotPrunedWhereSQLitePrunesByTimeAlone() throws {
        let store = try JournalFixture(.postgres)
        let journal = try store.postgres()
        let flying = SendRecord(channel: "ops", at: epoch(10), postID: "a", deliveryID: "d_1", text: "out there")
        let done = SendRecord(channel: "ops", at: epoch(11), postID: "b", deliveryID: "d_2", text: "answered")
        try journal.commitNow([.recordSend(flying), .recordSend(done), .recordSend(done),
                               .completeSend(deliveryID: "d_2", startedAt: epoch(11), completedAt: epoch(12))])
        #expect(try store.query("SELECT delivery_id || ':' || in_flight::text FROM send_log ORDER BY at") == "d_1:true\nd_2:false",
                "a send recorded twice (a claim's reservation, then the engine) is one row")
        journal.pruneSends(before: epoch(100))
        journal.waitForPendingCommits()
        #expect(try journal.sends(since: epoch(0)) == ["ops": [flying]], "its request may still be out: the throttle must count it")

        let directory = TemporaryDirectory()
        let sqlite = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        try sqlite.commitNow([.recordSend(flying), .pruneSends(before: epoch(100))])
        #expect(try sqlite.sends(since: epoch(0)).isEmpty)
    }

    @Test func controlChangesBumpTheControlVersionOncePerCommitAndOtherChangesDoNot() throws {
        let store = try JournalFixture(.postgres)
        let journal = try store.postgres()
        func version() throws -> String { try store.query("SELECT version FROM control WHERE id = 1") }
        #expect(try version() == "0")
        try journal.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(journalDelivery("d_1", post: "p")),
                               .history(HistoryEvent(at: epoch(1), postID: "p", actor: "crier", action: "queued")),
                               .recordSend(SendRecord(channel: "ops", at: epoch(2), postID: "p", deliveryID: "d_1", text: "t")),
                               .dropApprovals(postID: "p"), .resolutionApplied(deliveryID: "d_1")])
        #expect(try version() == "0", "posts, deliveries, sends and history are not control changes")

        let pause = PauseRecord(scope: "*", reason: "r", pausedBy: "alice", pausedAt: epoch(3))
        let approval = ApprovalRecord(postID: "p", channel: "ops", state: .approved, contentHash: "v", actor: "bob", at: epoch(4))
        let resolution = Resolution(deliveryID: "d_1", key: DeliveryKey(post: "p", channel: "ops", part: 1), sent: true, remoteURL: nil,
                                    resolvedBy: "carol", resolvedAt: epoch(5))
        try journal.commitNow([.pause(pause), .approval(approval), .resolution(resolution), .channelState(channel: "ops", ChannelState())])
        #expect(try version() == "1", "once per transaction")
        let singles: [JournalChange] = [.pause(pause), .resume(scope: "*"), .approval(approval), .resolution(resolution),
                                        .channelState(channel: "ops", ChannelState(consecutiveFailures: 1)), .closeBreaker(channel: "ops"),
                                        .storeSession(channel: "ops", ChannelSession(values: ["k": "v"]))]
        for (index, change) in singles.enumerated() {
            try journal.commitNow([change])
            #expect(try version() == "\(index + 2)", "\(change)")
        }
    }
}
