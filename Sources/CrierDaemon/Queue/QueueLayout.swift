import CrierCore
import Foundation

/// The queue directory and its state subdirectories (README "How a post travels"). The directories
/// *are* the states: a post file lives in the queue while pending and moves when it is finished.
public struct QueueLayout: Sendable, Equatable {
    public var root: String
    /// Where the journal lives: the queue's SQLite file unless the config says `store: postgres`.
    public var store: JournalLocation

    public init(root: String, store: StoreSettings = StoreSettings(), storePassword: String? = nil) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        self.root = (absolute as NSString).standardizingPath
        self.store = JournalLocation(settings: store, password: storePassword, queueRoot: self.root)
    }

    /// Whether there is a journal to read: the SQLite file exists, or the store is a database.
    public var journalExists: Bool {
        store.isPostgres || FileManager.default.fileExists(atPath: journal)
    }

    public var sent: String { root + "/sent" }
    public var failed: String { root + "/failed" }
    public var rejected: String { root + "/rejected" }
    /// Posts cancelled by `crier cancel` (nothing is ever deleted).
    public var cancelled: String { root + "/cancelled" }
    public var state: String { root + "/.crier" }
    public var journal: String { state + "/journal.sqlite" }
    public var pauseFile: String { root + "/PAUSE" }
    /// Touched by `crier pause`/`resume` so a running daemon re-reads the pauses at once (inotify).
    /// Hidden, so the intake ignores it.
    public static let controlStampName = ".crier-control"
    public var controlStamp: String { root + "/" + Self.controlStampName }

    public func pending(_ name: String) -> String { root + "/" + name }

    public func directory(for outcome: CrierCore.PostOutcome) -> String {
        switch outcome {
        case .sent: return sent
        case .failed: return failed
        case .cancelled: return cancelled
        }
    }

    /// Creates the queue and its subdirectories if missing (group-writable and setgid, so members of
    /// the queue's group can drop files).
    public func create() throws(SystemError) {
        for directory in [root, sent, failed, rejected, cancelled] {
            try FileOperations.makeDirectory(directory)
        }
        try FileOperations.makeDirectory(state, mode: 0o700)
    }
}

import CrierCore
