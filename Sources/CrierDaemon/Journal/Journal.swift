import CrierCore
import Foundation

/// The storage seam: every read and write the engine, the commands and the preview make of crier's
/// durable state (posts, deliveries and their progress, send history, channel state, pauses, the
/// operator's resolutions). `SQLiteJournal` is the implementation of a single daemon; a shared
/// store for several daemons implements the same operations.
///
/// The engine holds in memory only the posts due soon: a restart reads `unfinishedSchedule()` (a
/// row per post, no deliveries), loads the near ones with `posts(ids:)` and wakes the others with
/// `posts(ids:)` shortly before they are due. A store shared by several daemons can hand out due work
/// a little at a time the same way: every state change goes out through `commit` as a
/// `JournalChange`, so a claiming store can answer those reads with the rows it leased to this
/// node and renew or release its leases as the changes come in, without the engine changing shape.
///
/// Writes are group-committed: `commit` returns at once and its completion runs after the changes
/// are durable (or failed), on the queue given.
public protocol Journal: AnyObject, Sendable {
    /// Where the store lives, for messages (a path, or `:memory:`).
    var path: String { get }

    // MARK: Writing

    /// Queues `changes` for the next group commit; `completion` runs on `queue` once they are
    /// durable. Changes the store cannot write yet (a full disk) are kept, in order, and written
    /// again until it can: a completion may wait, but is not called with an error.
    func commit(_ changes: [JournalChange], on queue: DispatchQueue?, completion: (@Sendable (JournalError?) -> Void)?)
    /// `observer` runs on `queue` with the error when writes start failing, and with nil when they
    /// work again.
    func observeHealth(on queue: DispatchQueue, _ observer: @escaping @Sendable (JournalError?) -> Void)
    /// Writes `changes` at once in one transaction (for commands run outside the daemon).
    func commitNow(_ changes: [JournalChange]) throws(JournalError)
    /// Blocks until everything committed so far is durable.
    func waitForPendingCommits()

    // MARK: The engine's state

    /// Posts not yet finished, with all their deliveries: what a restart resumes.
    func unfinishedPosts() throws(JournalError) -> [(JournalPost, [DeliveryRecord])]
    /// One row per unfinished post, with the earliest due time of its pending deliveries: what a
    /// restart schedules from without loading every delivery.
    func unfinishedSchedule() throws(JournalError) -> [ScheduledPost]
    /// Due times of the pending deliveries on `channel` (the slots already given out there).
    func pendingDues(channel: String) throws(JournalError) -> [Date]
    /// The rows of those of `ids` the store knows, with their deliveries (one call per intake batch).
    func posts(ids: [String]) throws(JournalError) -> [String: (JournalPost, [DeliveryRecord])]
    /// One post and its deliveries, or nil.
    func post(id: String) throws(JournalError) -> (JournalPost, [DeliveryRecord])?
    /// Sends on each channel since `since` (oldest first), for the throttles after a restart.
    func sends(since: Date) throws(JournalError) -> [String: [SendRecord]]
    func channelStates() throws(JournalError) -> [String: ChannelState]
    /// Pauses by scope (`*` for everything, else a channel name).
    func pauses() throws(JournalError) -> [String: PauseRecord]
    /// The operator's answers for `unknown` deliveries not yet applied.
    func resolutions() throws(JournalError) -> [Resolution]
    /// Each channel's stored session (credentials: never logged).
    func sessions() throws(JournalError) -> [String: ChannelSession]
    /// Approval rows of posts not yet finished.
    func approvals() throws(JournalError) -> [ApprovalRecord]
    /// History, oldest first: of one post (or all), since a time, at most `limit` lines (the newest).
    func history(postID: String?, since: Date?, limit: Int) throws(JournalError) -> [HistoryEvent]

    // MARK: Reports

    func postCounts() throws(JournalError) -> [JournalPost.State: Int]
    func nextDuePerChannel() throws(JournalError) -> [String: Date]
    func recentFailures(limit: Int) throws(JournalError) -> [DeliveryRecord]
    func unknownDeliveries() throws(JournalError) -> [DeliveryRecord]

    // MARK: Several daemons

    /// The cluster this store is shared with (nil: this daemon is alone, as on SQLite).
    var cluster: (any ClusterCoordinator)? { get }
    /// The nodes sharing this store and the cluster's pending work, for `crier status` (nil: alone).
    func clusterView(now: Date) throws(JournalError) -> ClusterView?
}

extension Journal {
    public var cluster: (any ClusterCoordinator)? { nil }
    public func clusterView(now: Date) throws(JournalError) -> ClusterView? { nil }

    public func commit(_ changes: [JournalChange]) {
        commit(changes, on: nil, completion: nil)
    }

    /// Drops send history older than `before` (nothing needs it once every window has passed).
    public func pruneSends(before: Date) {
        commit([.pruneSends(before: before)])
    }
}
