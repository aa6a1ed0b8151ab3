import Foundation

/// The one place a `Journal` is made: the daemon, the preview and every command open their store
/// through here, so choosing another store is a change in one file.
public enum JournalStore {
    public enum Access: Sendable {
        /// The queue's journal, created and migrated if needed.
        case readWrite
        /// An in-memory copy of the queue's journal (or an empty one if there is none yet): dry-runs
        /// and the preview see the real state and record nothing.
        case scratchCopy
    }

    public static func open(_ layout: QueueLayout, access: Access = .readWrite) throws(JournalError) -> any Journal {
        switch access {
        case .readWrite:
            return try SQLiteJournal(path: layout.journal)
        case .scratchCopy:
            return try SQLiteJournal(inMemoryCopyOf: FileManager.default.fileExists(atPath: layout.journal) ? layout.journal : nil)
        }
    }
}
