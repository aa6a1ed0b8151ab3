@testable import CrierDaemon
import Foundation
import Logging
import Synchronization
import Testing

/// A daemon waits for a shared store it cannot reach yet, and only for that.
@Suite struct SharedStoreWaitTests {
    static let refused = PostgresError("cannot connect to postgres://crier@127.0.0.1:5432/crier: connection to server at \"127.0.0.1\", "
                                       + "port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?")
    static let wrongPassword = PostgresError("cannot connect to postgres://crier@127.0.0.1:5432/crier: connection to server at \"127.0.0.1\", "
                                             + "port 5432 failed: FATAL:  password authentication failed for user \"crier\"")

    @Test func libpqsMessagesAreToldApartWaitOnlyForWhatMayPass() {
        let waitFor = [
            Self.refused,
            PostgresError("cannot connect to X: timeout expired"),
            PostgresError("cannot connect to X: could not translate host name \"db.internal\" to address: Name or service not known"),
            PostgresError("cannot connect to X: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the database system is starting up"),
            PostgresError("cannot connect to X: connection to server on socket \"/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory"),
            PostgresError("FATAL: terminating connection due to administrator command", sqlState: "57P01"),
        ]
        for error in waitFor { #expect(error.isUnreachable, "\(error)") }
        let exitOn = [
            Self.wrongPassword,
            PostgresError("cannot connect to X: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"crier\" does not exist"),
            PostgresError("cannot connect to X: fe_sendauth: no password supplied"),
            PostgresError("cannot connect to X: FATAL:  no pg_hba.conf entry for host \"10.0.0.2\", user \"crier\", database \"crier\""),
            PostgresError("cannot connect to X: invalid connection option \"hots\""),
            PostgresError("the database has no crier schema yet; create it with `crier migrate --config CONFIG`", sqlState: "XX000"),
            PostgresError("relation \"post\" does not exist", sqlState: "42P01"),
        ]
        for error in exitOn { #expect(!error.isUnreachable, "\(error)") }
        #expect(JournalError(path: "db", Self.refused).unreachable)
        #expect(!JournalError(path: "db", Self.wrongPassword).unreachable)
        #expect(!JournalError(path: "db", CocoaError(.fileReadNoPermission)).unreachable, "a SQLite journal's errors are never waited for")
    }

    @Test func anUnreachableStoreIsTriedAgainWithGrowingPausesUntilItAnswers() throws {
        let slept = Mutex<[TimeInterval]>([])
        var wait = SharedStoreWait(logger: Logger(label: "test"), notifier: nil)
        wait.sleep = { delay in slept.withLock { $0.append(delay) } }
        var tries = 0
        let journal = try wait.open { () throws(JournalError) -> any Journal in
            tries += 1
            if tries < 8 { throw JournalError(path: "postgres://crier@db/crier", Self.refused) }
            return try SQLiteJournal(inMemoryCopyOf: nil)
        }
        #expect(journal.cluster == nil)
        #expect(tries == 8)
        #expect(slept.withLock { $0 } == [1, 2, 4, 8, 15, 15, 15])
    }

    @Test func aStoreThatRefusesForGoodIsNotWaitedFor() {
        let slept = Mutex<[TimeInterval]>([])
        var wait = SharedStoreWait(logger: Logger(label: "test"), notifier: nil)
        wait.sleep = { delay in slept.withLock { $0.append(delay) } }
        #expect(throws: JournalError.self) {
            try wait.open { () throws(JournalError) -> any Journal in throw JournalError(path: "db", Self.wrongPassword) }
        }
        #expect(slept.withLock { $0 }.isEmpty)

        // `crier run --once` gives up at once too: a one-shot run is not a service waiting for its database.
        wait.waits = false
        #expect(throws: JournalError.self) {
            try wait.open { () throws(JournalError) -> any Journal in throw JournalError(path: "db", Self.refused) }
        }
        #expect(slept.withLock { $0 }.isEmpty)
    }
}
