import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// The `Journal` contract, with the same assertions against both stores: SQLite in a temporary
/// directory, and PostgreSQL on a fresh migrated database of its own (cancelled without the test
/// server, failed with CRIER_PG_REQUIRED=1). Where the stores legitimately differ (the origin of a
/// post, `.postSource`, sends in flight), PostgresJournalTests says so explicitly.
@Suite struct PostgresAndSQLiteJournalTests {
    @Test(arguments: StoreKind.allCases)
    func groupCommitsOfThreeHundredPostsAreDurableAfterReopeningWithIdsUnchanged(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        var rich = journalPost("p000", scheduledAt: epoch(60.25))
        rich.expiresAt = epoch(7200.5)
        rich.queuedBy = "alice"
        rich.fileSignature = FileSignature(regularFileInode: UInt64.max - 7, size: 1234, modifiedNanoseconds: 1_700_000_000_123_456_789,
                                           owner: 4_000_000_000)
        var ids: [String] = []
        do {
            let journal = try store.open()
            let done = DispatchGroup()
            let failures = Recorded<String>()
            for index in 0..<300 {
                let postID = String(format: "p%03d", index)
                let record = DeliveryRecord(id: DeliveryID.make(), key: DeliveryKey(post: postID, channel: "ops", part: 1),
                                            dueAt: epoch(Double(index)))
                ids.append(record.id)
                done.enter()
                journal.commit([.upsertPost(index == 0 ? rich : journalPost(postID)), .upsertDelivery(record)], on: nil) { error in
                    if let error { failures.append("\(error)") }
                    done.leave()
                }
            }
            #expect(done.wait(timeout: .now() + 60) == .success, "every completion runs")
            #expect(failures.all.isEmpty)
        }
        let reopened = try store.open()
        let unfinished = try reopened.unfinishedPosts()
        #expect(unfinished.count == 300)
        #expect(unfinished.map(\.0.id) == (0..<300).map { String(format: "p%03d", $0) }, "in post id order")
        #expect(unfinished.flatMap { $0.1.map(\.id) } == ids, "each post's delivery, its id unchanged by the reopen")
        #expect(unfinished.first?.0 == store.stored(rich), "every column of a post survives, the signature's high bits too")
        let schedule = try reopened.unfinishedSchedule()
        #expect(schedule.count == 300)
        #expect(schedule.last?.earliestPendingDue == epoch(299))
    }

    @Test(arguments: StoreKind.allCases)
    func updatesReplaceStateAndFinishedPostsAreNotResumed(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        var first = journalPost("a")
        first.queuedBy = "alice"
        var record = journalDelivery("d_a", post: "a")
        try journal.commitNow([.upsertPost(first), .upsertDelivery(record), .upsertPost(journalPost("b")),
                               .upsertDelivery(journalDelivery("d_b", post: "b", dueAt: epoch(300)))])
        record.apply(.failed(reason: "HTTP 400: nope", httpStatus: 400), at: epoch(200))
        var finished = first
        finished.state = .failed
        finished.finishedAt = epoch(200)
        finished.contentHash = "h-a-2"
        finished.queuedBy = "bob"
        try journal.commitNow([.upsertDelivery(record), .upsertPost(finished)])

        #expect(try journal.unfinishedPosts().map(\.0.id) == ["b"])
        #expect(try journal.unfinishedSchedule().map(\.id) == ["b"])
        let (stored, records) = try #require(try journal.post(id: "a"))
        var expected = finished
        expected.queuedBy = "alice"
        #expect(stored == store.stored(expected), "the row is replaced, except who dropped the file first")
        #expect(records == [record])
        #expect(try journal.recentFailures(limit: 5).map(\.id) == ["d_a"])
        #expect(try journal.postCounts() == [.failed: 1, .pending: 1])
    }

    @Test(arguments: StoreKind.allCases)
    func anUpdateOfAnAbsentDeliveryInsertsItAndTextsKeepEmptyAndNullApart(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        var record = DeliveryRecord(id: "d_1", key: DeliveryKey(post: "a", channel: "ops", part: 2), attempts: 1, dueAt: epoch(150),
                                    remote: RemoteReference(id: "", url: nil))
        try journal.commitNow([.upsertPost(journalPost("a")), .updateDelivery(record)])
        #expect(try journal.post(id: "a")?.1 == [record], "inserted although it was missing")

        let reason = "café ✗ \"double\" 'single' back\\slash $1 %s ?\nsecond line\ttab 🚀 '); DROP TABLE delivery; --"
        record.apply(.failed(reason: reason, httpStatus: 400), at: epoch(300))
        var empty = journalDelivery("d_2", post: "a", part: 3)
        empty.error = ""
        empty.remote = RemoteReference(id: nil, url: "")
        let null = journalDelivery("d_3", post: "a", part: 4)
        try journal.commitNow([.updateDelivery(record), .upsertDelivery(empty), .upsertDelivery(null)])

        let stored = try #require(try journal.post(id: "a")?.1)
        #expect(stored == [record, empty, null])
        #expect(stored.map(\.error) == [reason, "", nil], "an empty text is stored as empty, not NULL")
        #expect(stored.map(\.remote) == [RemoteReference(id: "", url: nil), RemoteReference(id: nil, url: ""), nil])
    }

    @Test(arguments: StoreKind.allCases)
    func stepProgressAndUnknownDeliveriesSurviveAReopen(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        var record = journalDelivery("d_1", post: "a", channel: "social", part: 2, dueAt: epoch(150))
        record.progress = DeliveryProgress(values: ["draft": "dr_2", "media[1]": "m_1", "caption": "\"quoted\"\nnext ✓"],
                                           done: ["upload-media[1]", "prepare"], uncertainStep: "publish", stepAttempts: 1, sessionRenewals: 2)
        var halfway = journalDelivery("d_2", post: "b", dueAt: epoch(160))
        halfway.progress = DeliveryProgress(values: ["id": "7"], done: ["create"])
        do {
            let journal = try store.open()
            try journal.commitNow([.upsertPost(journalPost("a")), .upsertDelivery(record), .upsertPost(journalPost("b")), .upsertDelivery(halfway),
                                   .upsertPost(journalPost("c")), .upsertDelivery(journalDelivery("d_3", post: "c"))])
            record.apply(.unknown(reason: "publish: no answer"), at: epoch(200))
            try journal.commitNow([.updateDelivery(record)])
        }
        let reopened = try store.open()
        let unfinished = try reopened.unfinishedPosts()
        #expect(unfinished.first { $0.0.id == "a" }?.1 == [record], "the progress and the unknown state are durable")
        #expect(unfinished.first { $0.0.id == "b" }?.1 == [halfway])
        #expect(try reopened.unknownDeliveries() == [record])
        let schedule = try reopened.unfinishedSchedule()
        #expect(schedule.map(\.id) == ["a", "b", "c"])
        #expect(schedule.map(\.inDoubt) == [true, true, false], "an unknown delivery, or steps under way: the post is loaded whole")
        #expect(schedule.first?.pendingDeliveries == 0)
        #expect(schedule.first?.earliestPendingDue == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func resolutionsWaitForTheDaemonOldestFirstAndGoOnceApplied(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        let later = Resolution(deliveryID: "d_2", key: DeliveryKey(post: "b", channel: "news", part: 1), sent: false, remoteURL: nil,
                               resolvedBy: "carol", resolvedAt: epoch(400))
        var first = Resolution(deliveryID: "d_1", key: DeliveryKey(post: "a", channel: "social", part: 2), sent: true,
                               remoteURL: "https://social.example/@crier/2?a=1&b='x'", resolvedBy: "alice", resolvedAt: epoch(300))
        try journal.commitNow([.resolution(later), .resolution(first)])
        #expect(try journal.resolutions() == [first, later])
        first.sent = false
        first.remoteURL = nil
        first.resolvedBy = "bob"
        try journal.commitNow([.resolution(first)])
        #expect(try journal.resolutions() == [first, later], "a second answer replaces the first")
        try journal.commitNow([.resolutionApplied(deliveryID: "d_1"), .resolutionApplied(deliveryID: "d_unknown")])
        #expect(try journal.resolutions() == [later])
    }

    @Test(arguments: StoreKind.allCases)
    func sendsAreReadByChannelOldestFirstCompletedAndPruned(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        let old = SendRecord(channel: "ops", at: epoch(5), postID: "z", deliveryID: "d_0", text: "old")
        let first = SendRecord(channel: "ops", at: epoch(10), postID: "a", deliveryID: "d_1", text: "first ✓")
        let second = SendRecord(channel: "ops", at: epoch(30), postID: "b", deliveryID: "d_2", text: "second 'quoted'\n\"line\"")
        let news = SendRecord(channel: "news", at: epoch(20), postID: "c", deliveryID: "d_3", text: "")
        try journal.commitNow([.recordSend(second), .recordSend(first), .recordSend(news), .recordSend(old)])
        #expect(try journal.sends(since: epoch(8)) == ["ops": [first, second], "news": [news]])

        try journal.commitNow([.completeSend(deliveryID: "d_1", startedAt: epoch(10), completedAt: epoch(40)),
                               .completeSend(deliveryID: "d_0", startedAt: epoch(5), completedAt: epoch(6)),
                               .completeSend(deliveryID: "d_2", startedAt: epoch(30), completedAt: epoch(31)),
                               .completeSend(deliveryID: "d_3", startedAt: epoch(20), completedAt: epoch(21))])
        var completedFirst = first
        completedFirst.at = epoch(40)
        var completedSecond = second
        completedSecond.at = epoch(31)
        var completedNews = news
        completedNews.at = epoch(21)
        #expect(try journal.sends(since: epoch(8)) == ["ops": [completedSecond, completedFirst], "news": [completedNews]],
                "a send counts from when it completed")

        journal.pruneSends(before: epoch(25))
        journal.waitForPendingCommits()
        #expect(try journal.sends(since: epoch(0)) == ["ops": [completedSecond, completedFirst]])
    }

    @Test(arguments: StoreKind.allCases)
    func channelStatesAreReplacedAndClosingTheBreakerKeepsTheNotBeforeTime(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        let open = ChannelState(notBefore: epoch(50), consecutiveFailures: 3, lastFailureAt: epoch(40.5), openUntil: epoch(100), cooldown: 60.25)
        try journal.commitNow([.channelState(channel: "ops", ChannelState(consecutiveFailures: 1)), .channelState(channel: "news", ChannelState()),
                               .channelState(channel: "ops", open)])
        #expect(try journal.channelStates() == ["ops": open, "news": ChannelState()])
        try journal.commitNow([.closeBreaker(channel: "ops"), .closeBreaker(channel: "never-seen")])
        #expect(try journal.channelStates() == ["ops": ChannelState(notBefore: epoch(50)), "news": ChannelState()],
                "closed: no failures, no cool-down; a channel without a state gets none")
    }

    @Test(arguments: StoreKind.allCases)
    func pausesAreKeptByScopeAndResumingStarLiftsThemAll(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        let everything = PauseRecord(scope: "*", reason: "maintenance 🛠 'tonight'", pausedBy: "alice", pausedAt: epoch(1))
        var ops = PauseRecord(scope: "ops", reason: "breaker", pausedBy: "crier", pausedAt: epoch(2))
        let file = PauseRecord(scope: PauseRecord.pauseFileScopePrefix + "node-b", reason: "no reason given", pausedBy: "queue/PAUSE on node node-b",
                               pausedAt: epoch(3))
        try journal.commitNow([.pause(everything), .pause(ops), .pause(file)])
        #expect(try journal.pauses() == ["*": everything, "ops": ops, file.scope: file])
        ops.reason = "again, by bob"
        ops.pausedBy = "bob"
        try journal.commitNow([.pause(ops), .resume(scope: "never-paused")])
        #expect(try journal.pauses()["ops"] == ops, "pausing again replaces the reason")
        try journal.commitNow([.resume(scope: "ops")])
        #expect(try journal.pauses() == ["*": everything, file.scope: file], "resuming a channel leaves the others")
        try journal.commitNow([.pause(ops), .resume(scope: "*")])
        #expect(try journal.pauses().isEmpty, "`*` lifts every pause")
    }

    @Test(arguments: StoreKind.allCases)
    func sessionsAreKeptPerChannelAndReplaced(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        let ops = ChannelSession(values: ["access": "tok\"en'\\", "room": "!abc:example.org"], expiresAt: epoch(3600), generation: 2)
        let news = ChannelSession(values: ["refresh": "r"], needsRenewal: true, generation: 1)
        try journal.commitNow([.storeSession(channel: "ops", ops), .storeSession(channel: "news", news)])
        #expect(try journal.sessions() == ["ops": ops, "news": news])
        let renewed = ChannelSession(values: ["access": "new"], expiresAt: epoch(7200), generation: 3)
        try journal.commitNow([.storeSession(channel: "ops", renewed)])
        #expect(try journal.sessions() == ["ops": renewed, "news": news])
    }

    @Test(arguments: StoreKind.allCases)
    func approvalsAreReplacedPerPostAndChannelAndDroppedWithThePost(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        var aOps = ApprovalRecord(postID: "a", channel: "ops", state: .pending, contentHash: "v1", at: epoch(1), plannedAt: epoch(100))
        let aNews = ApprovalRecord(postID: "a", channel: "news", state: .rejected, contentHash: "v1", actor: "carol", at: epoch(2),
                                   note: "not today — ✗")
        let bOps = ApprovalRecord(postID: "b", channel: "ops", state: .approved, contentHash: "w1", actor: "alice", at: epoch(3), note: "")
        try journal.commitNow([.approval(bOps), .approval(aOps), .approval(aNews)])
        #expect(try journal.approvals() == [aNews, aOps, bOps], "by post, then channel")
        aOps = ApprovalRecord(postID: "a", channel: "ops", state: .approved, contentHash: "v2", actor: "bob", at: epoch(4))
        try journal.commitNow([.approval(aOps)])
        #expect(try journal.approvals() == [aNews, aOps, bOps], "the approval replaces the pending row, planned time and all")
        try journal.commitNow([.dropApprovals(postID: "a")])
        #expect(try journal.approvals() == [bOps])
    }

    @Test(arguments: StoreKind.allCases)
    func historyGivesTheNewestLinesOldestFirst(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        var changes: [JournalChange] = (0..<10).map { index in
            .history(HistoryEvent(at: epoch(Double(index)), postID: index.isMultiple(of: 2) ? "a" : "b", actor: "crier", action: "e\(index)"))
        }
        // Two lines of one instant keep the order they were written in.
        changes.append(.history(HistoryEvent(at: epoch(20), postID: "a", channel: "ops", actor: "alice", action: "same-1", detail: "✓ 'x'\n2")))
        changes.append(.history(HistoryEvent(at: epoch(20), postID: "a", channel: "ops", actor: "alice", action: "same-2")))
        changes.append(.history(HistoryEvent(at: epoch(15), postID: nil, channel: "ops", actor: "bob", action: "paused", detail: "")))
        try journal.commitNow(changes)

        #expect(try journal.history(postID: "a", since: nil, limit: 3).map(\.action) == ["e8", "same-1", "same-2"])
        #expect(try journal.history(postID: "a", since: epoch(4), limit: 100).map(\.action) == ["e4", "e6", "e8", "same-1", "same-2"])
        #expect(try journal.history(postID: nil, since: nil, limit: 4).map(\.action) == ["e9", "paused", "same-1", "same-2"])
        #expect(try journal.history(postID: nil, since: epoch(9), limit: 0).map(\.action) == ["same-2"], "at least one line")
        #expect(try journal.history(postID: "c", since: nil, limit: 10).isEmpty)
        let lines = try journal.history(postID: nil, since: epoch(15), limit: 10)
        #expect(lines == [HistoryEvent(at: epoch(15), postID: nil, channel: "ops", actor: "bob", action: "paused", detail: ""),
                          HistoryEvent(at: epoch(20), postID: "a", channel: "ops", actor: "alice", action: "same-1", detail: "✓ 'x'\n2"),
                          HistoryEvent(at: epoch(20), postID: "a", channel: "ops", actor: "alice", action: "same-2")])
    }

    @Test(arguments: StoreKind.allCases)
    func reportsCountPostsAndFindDuesAndFailures(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        var sent = journalDelivery("d_a3", post: "a", part: 3)
        sent.apply(.sent(RemoteReference(id: "1", url: nil), httpStatus: 200), at: epoch(70))
        var expired = journalDelivery("d_a4", post: "a", channel: "news", part: 2)
        expired.apply(.expired(reason: "too late", attempted: false), at: epoch(400))
        var failedEarly = journalDelivery("d_b3", post: "b", channel: "news")
        failedEarly.apply(.failed(reason: "no", httpStatus: 403), at: epoch(200))
        var failedLater = journalDelivery("d_c2", post: "c", channel: "news")
        failedLater.apply(.failed(reason: "gone", httpStatus: 410), at: epoch(300))
        var finishedPost = journalPost("c", state: .failed)
        finishedPost.finishedAt = epoch(300)
        try journal.commitNow([
            .upsertPost(journalPost("a")), .upsertDelivery(journalDelivery("d_a1", post: "a", dueAt: epoch(100))),
            .upsertDelivery(journalDelivery("d_a2", post: "a", channel: "news", dueAt: epoch(50))), .upsertDelivery(sent), .upsertDelivery(expired),
            .upsertPost(journalPost("b")), .upsertDelivery(journalDelivery("d_b1", post: "b", dueAt: epoch(80))),
            .upsertDelivery(journalDelivery("d_b2", post: "b", part: 2, dueAt: nil)), .upsertDelivery(failedEarly),
            .upsertPost(finishedPost), .upsertDelivery(journalDelivery("d_c1", post: "c", dueAt: epoch(10))), .upsertDelivery(failedLater),
            .upsertPost(journalPost("d", state: .sent)), .upsertPost(journalPost("e", state: .cancelled)),
        ])
        #expect(try journal.postCounts() == [.pending: 2, .failed: 1, .sent: 1, .cancelled: 1])
        #expect(try journal.nextDuePerChannel() == ["ops": epoch(80), "news": epoch(50)], "pending deliveries of unfinished posts only")
        #expect(try journal.recentFailures(limit: 2).map(\.id) == ["d_a4", "d_c2"], "newest first")
        #expect(try journal.recentFailures(limit: 10).map(\.id) == ["d_a4", "d_c2", "d_b3"])
        #expect(try journal.pendingDues(channel: "ops").sorted() == [epoch(80), epoch(100)])
        #expect(try journal.pendingDues(channel: "quiet").isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func postsByIdFindTheKnownOnesWithTheirDeliveries(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        let odd = ["we\"ird", "back\\slash", "comma,{brace}", "space id", "ünï'code", "NULL"]
        let regular = (0..<520).map { String(format: "q%03d", $0) }
        var changes: [JournalChange] = []
        for id in odd + regular {
            changes += [.upsertPost(journalPost(id)), .upsertDelivery(journalDelivery("d-" + id, post: id))]
        }
        let news = journalDelivery("d-m-news", post: "multi", channel: "news")
        let ops1 = journalDelivery("d-m-ops1", post: "multi")
        let ops2 = journalDelivery("d-m-ops2", post: "multi", part: 2)
        changes += [.upsertPost(journalPost("multi")), .upsertDelivery(ops2), .upsertDelivery(news), .upsertDelivery(ops1)]
        try journal.commitNow(changes)

        let found = try journal.posts(ids: odd + regular + ["absent", "multi", ""])
        #expect(found.count == odd.count + regular.count + 1, "more than one chunk of 500, and none of the absent ids")
        for id in odd {
            #expect(found[id]?.0 == store.stored(journalPost(id)), "\(id)")
            #expect(found[id]?.1 == [journalDelivery("d-" + id, post: id)], "\(id)")
        }
        #expect(found["q519"]?.1.map(\.id) == ["d-q519"])
        #expect(found["absent"] == nil)
        #expect(inKeyOrder(try #require(found["multi"]).1) == [news, ops1, ops2])
        #expect(try journal.posts(ids: []).isEmpty)

        #expect(try journal.post(id: "comma,{brace}")?.0 == store.stored(journalPost("comma,{brace}")))
        #expect(try journal.post(id: "multi")?.1 == [news, ops1, ops2], "by channel, then part")
        #expect(try journal.post(id: "absent") == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func theScheduleHasARowPerUnfinishedPostWithItsEarliestPendingDue(_ kind: StoreKind) throws {
        let store = try JournalFixture(kind)
        let journal = try store.open()
        var a = journalPost("a")
        a.fileSignature = FileSignature(regularFileInode: 1 << 63, size: 0, modifiedNanoseconds: -1, owner: 0)
        var sent = journalDelivery("d_a3", post: "a", channel: "news", part: 2, dueAt: epoch(10))
        sent.apply(.sent(nil, httpStatus: 200), at: epoch(20))
        try journal.commitNow([
            .upsertPost(a), .upsertDelivery(journalDelivery("d_a1", post: "a", dueAt: epoch(300))),
            .upsertDelivery(journalDelivery("d_a2", post: "a", channel: "news", dueAt: epoch(250.5))), .upsertDelivery(sent),
            .upsertPost(journalPost("b")),
            .upsertPost(journalPost("c", state: .sent)), .upsertDelivery(journalDelivery("d_c1", post: "c", dueAt: epoch(1))),
        ])
        #expect(try journal.unfinishedSchedule() == [
            ScheduledPost(id: "a", file: "a.md", contentHash: "h-a", fileSignature: a.fileSignature, earliestPendingDue: epoch(250.5),
                          pendingDeliveries: 2, inDoubt: false),
            ScheduledPost(id: "b", file: "b.md", contentHash: "h-b", fileSignature: nil, earliestPendingDue: nil, pendingDeliveries: 0,
                          inDoubt: false),
        ])
    }
}
