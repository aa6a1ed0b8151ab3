import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// The shared store when its connections are cut (the server restarted, a proxy or an operator
/// killed them): every session of the test's database is terminated from the outside, as the
/// superuser, and crier must notice, say so, reconnect and go on where it was, losing nothing.
@Suite struct PostgresConnectionLossTests {
    /// Terminates every session in the test's database (waiting up to 10 s for each to end).
    func terminateSessions(of database: PostgresDatabase) throws {
        try database.server.admin("""
            SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '\(database.name)' AND pid <> pg_backend_pid()
            """)
    }

    func sessions(of database: PostgresDatabase) throws -> Int {
        Int(try database.server.admin("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database.name)'")) ?? -1
    }

    @Test func aLostConnectionIsReportedAndQueuedChangesAreWrittenInOrderAfterTheReconnect() throws {
        let store = try JournalFixture(.postgres)
        let database = try #require(store.database)
        let journal = try store.postgres()
        let health = Recorded<String?>()
        journal.observeHealth(on: DispatchQueue(label: "health")) { error in health.append(error.map { "\($0)" }) }
        var record = journalDelivery("d_1", post: "p")
        try journal.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(record)])
        #expect(try journal.post(id: "p") != nil)
        try terminateSessions(of: database)
        #expect(eventually(timeout: 30) { (try? sessions(of: database)) == 0 }, "the journal's connections are gone")

        let done = DispatchGroup()
        let errors = Recorded<String>()
        func commit(_ changes: [JournalChange]) {
            done.enter()
            journal.commit(changes, on: nil) { error in
                if let error { errors.append("\(error)") }
                done.leave()
            }
        }
        func line(_ action: String) -> JournalChange {
            .history(HistoryEvent(at: epoch(1), postID: "p", actor: "crier", action: action))
        }
        record.apply(.retry(at: epoch(500), reason: "first", httpStatus: 503), at: epoch(200))
        commit([.updateDelivery(record), line("one")])
        #expect(eventually(timeout: 30) { !health.all.isEmpty }, "the failed write is reported")
        var failed = record
        failed.apply(.failed(reason: "second", httpStatus: 400), at: epoch(300))
        commit([.updateDelivery(failed), line("two"), .upsertPost(journalPost("q"))])
        var finished = journalPost("p", state: .failed)
        finished.finishedAt = epoch(300)
        commit([.upsertPost(finished), line("three"), .pause(PauseRecord(scope: "*", reason: "r", pausedBy: "a", pausedAt: epoch(2)))])

        #expect(done.wait(timeout: .now() + 90) == .success, "every completion runs once the store takes the changes")
        #expect(errors.all.isEmpty, "a completion waits, but never gets an error")
        #expect(eventually(timeout: 30) { health.all.count >= 2 && health.all.last == .some(nil) }, "and writing works again: \(health.all)")
        let problem = try #require(health.all.first ?? nil)
        #expect(problem.contains(database.url) || problem.contains("127.0.0.1"), "the report names the store: \(problem)")
        #expect(!problem.contains(database.password))

        let (post, records) = try #require(try journal.post(id: "p"))
        #expect(post == store.stored(finished))
        #expect(records == [failed], "the later state of the delivery wins: nothing reordered")
        #expect(try journal.history(postID: "p", since: nil, limit: 10).map(\.action) == ["one", "two", "three"])
        #expect(try journal.post(id: "q") != nil)
        #expect(try store.query("SELECT version FROM control") == "1")
    }

    @Test func readsAndClaimsGoOnAfterALostConnection() throws {
        let store = try JournalFixture(.postgres)
        let database = try #require(store.database)
        let journal = try store.postgres()
        let first = journalDelivery("d_1", post: "p")
        let second = journalDelivery("d_2", post: "p", part: 2)
        try journal.commitNow([.upsertPost(journalPost("p")), .upsertDelivery(first), .upsertDelivery(second)])
        let cluster = try #require(journal.cluster)
        #expect(cluster.claim(SendClaim(record: first, contentHash: "h-p", now: Date(), reservation: nil)) == .granted)
        #expect(try journal.pauses().isEmpty)
        try terminateSessions(of: database)
        #expect(eventually(timeout: 30) { (try? sessions(of: database)) == 0 })

        // A read is answered, not failed, when the server is back: reads are safe to repeat on a new
        // connection, and a daemon that fails a read of the pauses may act as if there were none.
        #expect(try journal.pauses().isEmpty)
        #expect(try journal.post(id: "p")?.1.count == 2)

        // The claim that finds the connection gone says so (the engine tries again in a second); the
        // next one is made on a new connection.
        var answers: [SendClaim.Answer] = []
        for _ in 0..<3 {
            let answer = cluster.claim(SendClaim(record: second, contentHash: "h-p", now: Date(), reservation: nil))
            answers.append(answer)
            if answer == .granted { break }
        }
        #expect(answers.last == .granted, "\(answers)")
        #expect(answers.dropLast().allSatisfy { if case .unavailable = $0 { true } else { false } }, "\(answers)")
    }

    @Test func theClusterReportsALostConnectionAndItsListenerCatchesUpAfterReconnecting() throws {
        let store = try JournalFixture(.postgres)
        let database = try #require(store.database)
        let journal = try store.postgres(lease: 3)
        let other = try store.postgres(node: "node-b")
        let cluster = try #require(journal.cluster)
        let controls = Recorded<Date>()
        let health = Recorded<String?>()
        cluster.start(queueRoot: "/queue/a", onControl: { controls.append(Date()) }, onPosts: {}, onHealth: { health.append($0) })
        defer { cluster.stop() }
        #expect(eventually(timeout: 30) { !controls.all.isEmpty }, "listening")
        #expect(eventually(timeout: 30) { (try? store.query("SELECT count(*) FROM node")) == "1" }, "beating")

        let before = controls.all.count
        try terminateSessions(of: database)
        #expect(eventually(timeout: 60) { health.all.contains { $0 != nil } }, "the heartbeat's failure is reported")
        #expect(eventually(timeout: 60) { health.all.last == .some(nil) }, "and its recovery: \(health.all)")
        #expect(eventually(timeout: 60) { controls.all.count > before }, "the listener reconnects and catches up")

        let now = controls.all.count
        try other.commitNow([.pause(PauseRecord(scope: "ops", reason: "r", pausedBy: "b", pausedAt: epoch(1)))])
        #expect(eventually(timeout: 30) { controls.all.count > now }, "and hears the other nodes again")
    }
}
