import Foundation

/// What a restart needs of an unfinished post to schedule it without loading it
/// (`Journal.unfinishedSchedule`): a post due much later is put to sleep from this alone.
public struct ScheduledPost: Sendable, Equatable {
    public var id: String
    public var file: String
    public var contentHash: String
    public var fileSignature: FileSignature?
    /// The earliest due time of its pending deliveries (nil: none is pending).
    public var earliestPendingDue: Date?
    public var pendingDeliveries: Int
    /// A delivery is `unknown`, or a pending one is part-way through its steps: the post must be
    /// loaded whole (its adapter decides what comes next, the operator may answer for it).
    public var inDoubt: Bool

    public init(id: String, file: String, contentHash: String, fileSignature: FileSignature?, earliestPendingDue: Date?,
                pendingDeliveries: Int, inDoubt: Bool) {
        self.id = id
        self.file = file
        self.contentHash = contentHash
        self.fileSignature = fileSignature
        self.earliestPendingDue = earliestPendingDue
        self.pendingDeliveries = pendingDeliveries
        self.inDoubt = inDoubt
    }
}
