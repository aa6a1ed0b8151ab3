import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// `crier migrate` and the schema check every daemon and command makes: a database without the
/// schema, with an older or a newer one, is refused with a message that says what to do; migrating
/// twice, or on two connections at once, ends with one schema.
@Suite struct PostgresMigratorTests {
    /// A fresh database without any schema, and how to reach it.
    func emptyDatabase() throws -> (PostgresDatabase, PostgresConnector) {
        let database = try PostgresServer.running().createDatabase()
        return (database, JournalFixture.connector(for: database))
    }

    func tables(_ database: PostgresDatabase) throws -> String {
        try database.query("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'")
    }

    @Test func anUnmigratedDatabaseIsRefusedWithAMessageToRunCrierMigrate() throws {
        let (database, connector) = try emptyDatabase()
        defer { database.drop() }
        let connection = try connector.connect()
        #expect(try PostgresMigrator.status(connection) == .missing)
        let error = #expect(throws: PostgresError.self) { try PostgresMigrator.requireCurrent(connection) }
        #expect(error?.message.contains("crier migrate") == true, "\(String(describing: error))")

        let refused = #expect(throws: JournalError.self) { try PostgresJournal(connector: connector, node: "node-a") }
        #expect(refused?.description.contains("crier migrate") == true, "\(String(describing: refused))")
        #expect(refused?.description.contains(database.password) == false, "the password never reaches a message")

        // An empty schema table (a migration that never finished) is no schema either.
        try database.query("CREATE TABLE crier_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz)")
        #expect(try PostgresMigrator.status(connection) == .missing)
        #expect(try tables(database) == "crier_schema", "refusing creates nothing")
    }

    @Test func anOlderSchemaIsRefusedUntilMigrated() throws {
        let (database, connector) = try emptyDatabase()
        defer { database.drop() }
        let connection = try connector.connect()
        // The schema as the previous build left it: every migration but the last.
        let previous = PostgresSchema.current - 1
        try database.query("CREATE TABLE crier_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())")
        for migration in PostgresSchema.migrations where migration.version <= previous {
            try connection.execute(migration.sql)
            try connection.query("INSERT INTO crier_schema (version, name) VALUES ($1, $2)", [migration.version, migration.name])
        }
        #expect(try PostgresMigrator.status(connection) == (previous == 0 ? .missing : .behind(previous)))
        let error = #expect(throws: PostgresError.self) { try PostgresMigrator.requireCurrent(connection) }
        #expect(error?.message.contains("crier migrate") == true, "\(String(describing: error))")
        #expect(throws: JournalError.self) { try PostgresJournal(connector: connector, node: "node-a") }

        #expect(try PostgresMigrator.migrate(connection) == PostgresSchema.migrations.map(\.version).filter { $0 > previous })
        #expect(try PostgresMigrator.status(connection) == .current)
        _ = try PostgresJournal(connector: connector, node: "node-a")
    }

    @Test func aNewerSchemaIsRefusedAndNeverDowngraded() throws {
        let (database, connector) = try emptyDatabase()
        defer { database.drop() }
        let connection = try connector.connect()
        #expect(try PostgresMigrator.migrate(connection) == PostgresSchema.migrations.map(\.version))
        let newer = PostgresSchema.current + 1
        try database.query("INSERT INTO crier_schema (version, name) VALUES (\(newer), 'from the future')")
        #expect(try PostgresMigrator.status(connection) == .ahead(newer))
        let error = #expect(throws: PostgresError.self) { try PostgresMigrator.requireCurrent(connection) }
        #expect(error?.message.contains("upgrade crier") == true, "\(String(describing: error))")
        let refused = #expect(throws: JournalError.self) { try PostgresJournal(connector: connector, node: "node-a") }
        #expect(refused?.description.contains("newer") == true, "\(String(describing: refused))")
        #expect(throws: PostgresError.self, "crier migrate of an older build refuses too") { try PostgresMigrator.migrate(connection) }
        #expect(try database.query("SELECT max(version) FROM crier_schema") == "\(newer)")
    }

    @Test func migratingTwiceChangesNothingTheSecondTime() throws {
        let (database, connector) = try emptyDatabase()
        defer { database.drop() }
        let connection = try connector.connect()
        #expect(try PostgresMigrator.migrate(connection) == PostgresSchema.migrations.map(\.version))
        let journal = try PostgresJournal(connector: connector, node: "node-a")
        try journal.commitNow([.upsertPost(journalPost("p")), .pause(PauseRecord(scope: "*", reason: "r", pausedBy: "a", pausedAt: epoch(1)))])
        let before = try tables(database)

        #expect(try PostgresMigrator.migrate(try connector.connect()) == [], "already current")
        #expect(try PostgresMigrator.status(connection) == .current)
        #expect(try tables(database) == before)
        #expect(try database.query("SELECT count(*) FROM crier_schema") == "\(PostgresSchema.migrations.count)")
        #expect(try journal.post(id: "p") != nil, "the data stays")
        #expect(try database.query("SELECT version FROM control") == "1")
    }

    @Test func twoMigrationsAtOnceTakeTurnsAndEndWithOneSchema() throws {
        let (database, connector) = try emptyDatabase()
        defer { database.drop() }
        let results = Recorded<String>()
        let threads = (0..<2).map { _ in
            Thread {
                do {
                    let applied = try PostgresMigrator.migrate(try connector.connect())
                    results.append(applied.map(String.init).joined(separator: ","))
                } catch {
                    results.append("error: \(error)")
                }
            }
        }
        for thread in threads { thread.start() }
        #expect(eventually(timeout: 60) { results.all.count == 2 }, "both migrations finish")
        let all = PostgresSchema.migrations.map { String($0.version) }.joined(separator: ",")
        #expect(results.all.sorted() == ["", all], "one applies every migration, the other finds the schema current")
        #expect(try database.query("SELECT count(*) FROM crier_schema") == "\(PostgresSchema.migrations.count)")
        #expect(try database.query("SELECT count(*) FROM control") == "1")
        #expect(try PostgresMigrator.status(try connector.connect()) == .current)
    }
}
