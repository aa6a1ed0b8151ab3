import ArgumentParser
import CrierDaemon
import Foundation

/// `crier journal …`: the daemon's own state, for when something happened to it.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Look after the journal (queue/.crier/journal.sqlite).",
        subcommands: [JournalRebuildCommand.self])
}
