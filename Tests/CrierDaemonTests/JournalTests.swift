import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

@Suite struct JournalTests {
    func post(_ id: String) -> JournalPost {
        JournalPost(id: id, file: "\(id).md", contentHash: "h", state: .pending, scheduledAt: Date(timeIntervalSince1970: 100),
                    expiresAt: nil, acceptedAt: Date(timeIntervalSince1970: 100))
    }

    @Test func groupCommitsAreDurableAndSurviveReopening() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/journal.sqlite"
        var ids: [String] = []
        do {
            let journal = try SQLiteJournal(path: path)
            let done = DispatchGroup()
            for index in 0..<500 {
                let record = DeliveryRecord(id: DeliveryID.make(), key: DeliveryKey(post: "p\(index)", channel: "ops", part: 1),
                                            dueAt: Date(timeIntervalSince1970: 100))
                ids.append(record.id)
                done.enter()
                journal.commit([.upsertPost(post("p\(index)")), .upsertDelivery(record)], on: nil) { error in
                    #expect(error == nil)
                    done.leave()
                }
            }
            #expect(done.wait(timeout: .now() + 30) == .success)
        }
        let reopened = try SQLiteJournal(path: path)
        let unfinished = try reopened.unfinishedPosts()
        #expect(unfinished.count == 500)
        #expect(Set(unfinished.flatMap { $0.1.map(\.id) }) == Set(ids), "delivery ids survive a reopen unchanged")
    }

    @Test func updatesReplaceStateAndFinishedPostsAreNotResumed() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/j.sqlite")
        var record = DeliveryRecord(id: "d_1", key: DeliveryKey(post: "a", channel: "ops", part: 1), dueAt: Date())
        try journal.commitNow([.upsertPost(post("a")), .upsertDelivery(record)])
        record.apply(.failed(reason: "HTTP 400: nope", httpStatus: 400), at: Date(timeIntervalSince1970: 200))
        var finished = post("a")
        finished.state = .failed
        try journal.commitNow([.upsertDelivery(record), .upsertPost(finished)])
        #expect(try journal.unfinishedPosts().isEmpty)
        let (stored, records) = try #require(try journal.post(id: "a"))
        #expect(stored.state == .failed)
        #expect(records == [record])
        #expect(try journal.recentFailures(limit: 5).map(\.id) == ["d_1"])
        #expect(try journal.postCounts()[.failed] == 1)
    }

    @Test func anUpdateOfAnAbsentDeliveryInsertsItAndTextsKeepEmptyAndNullApart() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/j.sqlite")
        var record = DeliveryRecord(id: "d_1", key: DeliveryKey(post: "a", channel: "ops", part: 2), attempts: 1,
                                    dueAt: Date(timeIntervalSince1970: 150), remote: RemoteReference(id: "", url: nil))
        try journal.commitNow([.upsertPost(post("a")), .updateDelivery(record)])
        #expect(try journal.post(id: "a")?.1 == [record], "inserted although it was missing")
        record.apply(.failed(reason: "café ✗ \"quoted\"\nsecond line", httpStatus: 400), at: Date(timeIntervalSince1970: 300))
        try journal.commitNow([.updateDelivery(record)])
        let stored = try #require(try journal.post(id: "a")?.1.first)
        #expect(stored == record)
        #expect(stored.remote == RemoteReference(id: "", url: nil), "an empty text is stored as empty, not NULL")
    }

    /// The in-memory copy answers for posts it does not have without reading (`JournalPostIDs`):
    /// what it answers must be what its database holds — posts copied from the file, posts written
    /// since by group commit and by `commitNow`, and nothing for the others.
    @Test func anInMemoryCopyFindsThePostsItHoldsAndNoOthers() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/j.sqlite"
        let record = DeliveryRecord(id: "d_1", key: DeliveryKey(post: "old", channel: "ops", part: 1), dueAt: Date(timeIntervalSince1970: 150))
        try SQLiteJournal(path: path).commitNow([.upsertPost(post("old")), .upsertDelivery(record)])
        let copy = try SQLiteJournal(inMemoryCopyOf: path)
        #expect(try copy.posts(ids: ["new", "old", "other"]).mapValues(\.1) == ["old": [record]])
        let written = DispatchSemaphore(value: 0)
        copy.commit([.upsertPost(post("new"))], on: nil) { _ in written.signal() }
        #expect(written.wait(timeout: .now() + 30) == .success)
        try copy.commitNow([.upsertPost(post("now"))])
        #expect(Set(try copy.posts(ids: ["new", "old", "now", "other"]).keys) == ["new", "old", "now"])
        #expect(try copy.posts(ids: ["other"]).isEmpty)
        #expect(try SQLiteJournal(inMemoryCopyOf: nil).posts(ids: ["old"]).isEmpty)
        #expect(try SQLiteJournal(path: path).posts(ids: ["new", "now"]).isEmpty, "the file was not written")
    }

    /// A pick-up's batch (history line, post, delivery per post) goes in multi-row INSERTs: every
    /// row lands as written one by one would, a later change of the same row in the same batch
    /// wins (the post's first `queued_by` stays), and a change of another kind in the middle keeps
    /// its place.
    @Test func aLargeBatchOfRowsIsWrittenAsOneByOne() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/j.sqlite")
        let count = 1_000  // 15 full statements of 64 rows and 40 rows one by one, per table
        var batch: [JournalChange] = []
        var expectedPosts: [String: JournalPost] = [:]
        var expectedRecords: [String: DeliveryRecord] = [:]
        var expectedHistory: [HistoryEvent] = []
        for index in 0..<count {
            let id = "p\(index)"
            let at = Date(timeIntervalSince1970: 1_000 + Double(index))
            var row = post(id)
            row.queuedBy = index % 3 == 0 ? nil : "user\(index)"
            row.fileSignature = index % 2 == 0 ? nil : FileSignature(regularFileInode: UInt64(index), size: 42, modifiedNanoseconds: 7, owner: 1000)
            let record = DeliveryRecord(id: "d_\(index)", key: DeliveryKey(post: id, channel: "ops", part: 1), dueAt: at)
            let event = HistoryEvent(at: at, postID: id, actor: "user\(index)", action: "queued", detail: "\(id).md")
            batch += [.history(event), .upsertPost(row), .upsertDelivery(record)]
            expectedPosts[id] = row
            expectedRecords[record.id] = record
            expectedHistory.append(event)
            if index == 500 {
                batch.append(.approval(ApprovalRecord(postID: "p3", channel: "ops", state: .pending, contentHash: "c", at: at)))
            }
        }
        // Later in the same batch: the same rows again, changed.
        for index in stride(from: 0, to: count, by: 7) {
            let id = "p\(index)"
            var row = try #require(expectedPosts[id])
            row.contentHash = "edited"
            var written = row
            written.queuedBy = "someone else"
            batch.append(.upsertPost(written))
            if row.queuedBy == nil { row.queuedBy = "someone else" }  // COALESCE: the first owner stays
            expectedPosts[id] = row
            var record = try #require(expectedRecords["d_\(index)"])
            record.apply(.failed(reason: "HTTP 400", httpStatus: 400), at: Date(timeIntervalSince1970: 5_000))
            batch.append(.upsertDelivery(record))
            expectedRecords[record.id] = record
        }
        try journal.commitNow(batch)
        let stored = try journal.posts(ids: Array(expectedPosts.keys))
        #expect(stored.count == count)
        for (id, expected) in expectedPosts {
            let (row, records) = try #require(stored[id])
            #expect(row == expected, "\(id)")
            #expect(records == [expectedRecords["d_" + id.dropFirst()]!], "\(id)")
        }
        #expect(try journal.history(postID: nil, since: nil, limit: 10_000) == expectedHistory)
        #expect(try journal.approvals().map(\.postID) == ["p3"])
    }

    @Test func usesWriteAheadLogging() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/j.sqlite")
        try journal.commitNow([.upsertPost(post("a"))])
        #expect(FileManager.default.fileExists(atPath: directory.path + "/j.sqlite-wal"))
    }

    @Test func stepProgressAndUnknownDeliveriesSurviveAReopen() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/j.sqlite"
        var record = DeliveryRecord(id: "d_1", key: DeliveryKey(post: "a", channel: "social", part: 2), dueAt: Date(timeIntervalSince1970: 150))
        record.progress = DeliveryProgress(values: ["draft": "dr_2", "media[1]": "m_1"], done: ["upload-media[1]", "prepare"],
                                           uncertainStep: "publish", stepAttempts: 1)
        do {
            let journal = try SQLiteJournal(path: path)
            try journal.commitNow([.upsertPost(post("a")), .upsertDelivery(record)])
            record.apply(.unknown(reason: "publish: no answer"), at: Date(timeIntervalSince1970: 200))
            try journal.commitNow([.updateDelivery(record)])
        }
        let reopened = try SQLiteJournal(path: path)
        #expect(try reopened.unfinishedPosts().first?.1 == [record], "the progress and the unknown state are durable")
        #expect(try reopened.unknownDeliveries().map(\.id) == ["d_1"])
    }

    @Test func resolutionsWaitForTheDaemonAndGoOnceApplied() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/j.sqlite")
        let resolution = Resolution(deliveryID: "d_1", key: DeliveryKey(post: "a", channel: "social", part: 2), sent: true,
                                    remoteURL: "https://social.example/@crier/2", resolvedBy: "alice", resolvedAt: Date(timeIntervalSince1970: 300))
        try journal.commitNow([.resolution(resolution)])
        #expect(try journal.resolutions() == [resolution])
        try journal.commitNow([.resolutionApplied(deliveryID: "d_1")])
        #expect(try journal.resolutions().isEmpty)
    }

    @Test func progressThatCannotBeReadIsHeldNotStartedAgain() {
        let progress = DeliveryProgressCoding.decodeOrHold("{not json")
        #expect(progress.uncertainStep != nil, "a delivery whose progress is unreadable is looked up or held, never redone from step 1")
        let stored = DeliveryProgress(values: ["id": "7"], done: ["create"])
        #expect(DeliveryProgressCoding.decodeOrHold(DeliveryProgressCoding.encode(stored)) == stored)
    }
}
