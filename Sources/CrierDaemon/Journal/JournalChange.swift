import CrierCore
import Foundation

/// One state change for the journal. The daemon hands batches of these to `Journal.commit`, which
/// writes each batch in one transaction.
public enum JournalChange: Sendable {
    case upsertPost(JournalPost)
    case upsertDelivery(DeliveryRecord)
    /// A new state of a delivery that is already journaled (an attempt's outcome): written as a
    /// plain UPDATE, which costs SQLite less than an upsert's failed insert; inserted if it turns
    /// out to be missing after all.
    case updateDelivery(DeliveryRecord)
    /// A send started on a channel (journaled before the request goes out on throttled channels).
    case recordSend(SendRecord)
    case pruneSends(before: Date)
    /// A journaled send completed: its time becomes the completion time.
    case completeSend(deliveryID: String, startedAt: Date, completedAt: Date)
    case channelState(channel: String, ChannelState)
    /// The operator closes a channel's circuit breaker (`crier resume CHANNEL`).
    case closeBreaker(channel: String)
    case pause(PauseRecord)
    /// Lifts the pause of a scope (`*`: every pause).
    case resume(scope: String)
    /// The operator's answer for an `unknown` delivery (`crier resolve`, `crier retry`).
    case resolution(Resolution)
    /// A daemon applied the resolution of this delivery.
    case resolutionApplied(deliveryID: String)
    /// The channel's session (a login's tokens, a resolved room id, server limits) is now this.
    case storeSession(channel: String, ChannelSession)
    /// A post's approval state on a channel (written by the daemon and by `crier approve`/`reject`).
    case approval(ApprovalRecord)
    /// Forgets a finished post's approval rows (its history stays in the event log).
    case dropApprovals(postID: String)
    /// One line of history.
    case history(HistoryEvent)
    /// The post file's bytes and its media files, kept in a store shared by several daemons so that
    /// any node can deliver the post (ignored by SQLite: the files are in the queue). Replaces what
    /// was kept of the post before; `media` is empty for a post without media, or whose media are
    /// too large to share (`SharedMediaFile.maximumBytesPerPost`).
    case postSource(postID: String, data: Data, media: [SharedMediaFile])
}
