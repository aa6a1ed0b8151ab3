import CrierCore

/// One state change for the journal. The daemon hands batches of these to `Journal.commit`, which
/// writes each batch in one transaction.
public enum JournalChange: Sendable {
    case upsertPost(JournalPost)
    case upsertDelivery(DeliveryRecord)
}
