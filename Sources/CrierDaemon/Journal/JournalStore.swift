import Foundation

/// The one place a `Journal` is made: the daemon, the preview and every command open their store
/// through here — SQLite in the queue, or the PostgreSQL database of `store: postgres`.
public enum JournalStore {
    public enum Access: Sendable {
        /// The queue's journal, created and migrated if needed.
        case readWrite
        /// An in-memory copy of the queue's journal (or an empty one if there is none yet): dry-runs
        /// and the preview see the real state and record nothing.
        case scratchCopy
    }

    public static func open(_ layout: QueueLayout, access: Access = .readWrite) throws(JournalError) -> any Journal {
        if let connector = layout.store.connector {
            switch access {
            case .readWrite:
                return try PostgresJournal(connector: connector, node: layout.store.node, lease: layout.store.settings.lease)
            case .scratchCopy:
                // A dry run against a shared database records nothing and must not even hold a
                // connection's locks: it works on an empty scratch journal (no send history).
                return try SQLiteJournal(inMemoryCopyOf: nil)
            }
        }
        switch access {
        case .readWrite:
            return try SQLiteJournal(path: layout.journal)
        case .scratchCopy:
            return try SQLiteJournal(inMemoryCopyOf: FileManager.default.fileExists(atPath: layout.journal) ? layout.journal : nil)
        }
    }
}
