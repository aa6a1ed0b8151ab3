import CrierCore
import Foundation

/// A post as the journal knows it: no content (the file has that), only identity and timing.
public struct JournalPost: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case pending, sent, failed, cancelled
    }

    public var id: String
    public var file: String
    /// SHA-256 of the file's bytes when it was last accepted: a different hash is an edit.
    public var contentHash: String
    public var state: State
    /// The post's `at`, or when it was first accepted.
    public var scheduledAt: Date
    public var expiresAt: Date?
    public var acceptedAt: Date
    public var finishedAt: Date?
    /// Who dropped the file (its owner's name when it was first accepted).
    public var queuedBy: String?
    /// What `lstat` said of the file when it was read with `contentHash` (nil in journals written
    /// before crier kept it): a restart trusts a file with the same signature without reading it.
    public var fileSignature: FileSignature?
    /// The node the post was dropped on, in a store shared by several daemons (nil in SQLite).
    public var origin: String?

    public init(id: String, file: String, contentHash: String, state: State, scheduledAt: Date, expiresAt: Date?,
                acceptedAt: Date, finishedAt: Date? = nil, queuedBy: String? = nil, fileSignature: FileSignature? = nil) {
        self.queuedBy = queuedBy
        self.id = id
        self.file = file
        self.contentHash = contentHash
        self.state = state
        self.scheduledAt = scheduledAt
        self.expiresAt = expiresAt
        self.acceptedAt = acceptedAt
        self.finishedAt = finishedAt
        self.fileSignature = fileSignature
    }
}
