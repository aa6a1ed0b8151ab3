import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the PostgreSQL schema of `store: postgres` (versioned, one transaction per step).",
        discussion: """
            Daemons never change the schema themselves: they refuse to start on a missing, older or newer \
            schema and say so. Run this once when setting up the database, and after upgrading crier on \
            every node. Two nodes running it at once take turns. A schema newer than this crier is refused: \
            upgrade crier instead. With `store: sqlite` (the default) there is nothing to do: the SQLite \
            journal is created and upgraded by the daemon.
            """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let path = global.configPath
        let config: CrierConfig
        switch ConfigLoader().load(path: path) {
        case .failure(let failure):
            throw UserFacingFailure("the config has problems:\n\(failure)")
        case .success(let loaded):
            config = loaded.runtime.config
        }
        let layout = global.layout(config: config)
        guard let connector = layout.store.connector else {
            print("\(path): the journal is SQLite (`store:` is not postgres); crier creates and upgrades it itself: nothing to do")
            return
        }
        do {
            let connection = try connector.connect()
            let before = try PostgresMigrator.status(connection)
            let applied = try PostgresMigrator.migrate(connection)
            if applied.isEmpty {
                print("\(connector.displayURL): the crier schema is current (version \(PostgresSchema.current))")
            } else {
                let from = before == .missing ? "no schema" : "version \(applied.first! - 1)"
                print("\(connector.displayURL): migrated from \(from) to version \(PostgresSchema.current) "
                      + "(applied \(applied.map(String.init).joined(separator: ", ")))")
            }
        } catch {
            throw UserFacingFailure("\(connector.displayURL): \(error)")
        }
    }
}
