import CrierCore
import Foundation

/// One state change for the journal. The daemon hands batches of these to `Journal.commit`, which
/// writes each batch in one transaction.
public enum JournalChange: Sendable {
    case upsertPost(JournalPost)
    case upsertDelivery(DeliveryRecord)
    /// A send started on a channel (journaled before the request goes out on throttled channels).
    case recordSend(SendRecord)
    case pruneSends(before: Date)
    /// A journaled send completed: its time becomes the completion time.
    case completeSend(deliveryID: String, startedAt: Date, completedAt: Date)
    case channelState(channel: String, ChannelState)
    case pause(PauseRecord)
    /// Lifts the pause of a scope (`*`: every pause).
    case resume(scope: String)
}
