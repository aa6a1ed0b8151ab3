import CrierCore
import Foundation

/// The engine's in-memory view of a post that is not finished: its journal row, its parsed content
/// (nil until its file has been read, or after it was deleted) and its deliveries.
struct ActivePost {
    var journal: JournalPost
    var post: Post?
    /// Rendered part texts per channel.
    var parts: [String: [String]] = [:]
    var records: [DeliveryKey: DeliveryRecord] = [:]
    var inFlight: Set<DeliveryKey> = []
    /// False until the records' first journal commit is durable: nothing is sent before that.
    var durable = false
    /// The file left the queue: pending deliveries are cancelled as they come free.
    var fileRemoved = false
    var finalizing = false

    var allFinal: Bool { records.values.allSatisfy { $0.status.isFinal } }

    /// Per channel, the lowest-numbered pending part: the only one that may be scheduled (a thread's
    /// parts go out in order, each replying to the one before).
    func nextPendingParts() -> [DeliveryKey] {
        var next: [String: DeliveryKey] = [:]
        for (key, record) in records where record.status == .pending {
            if let current = next[key.channel], current.part < key.part { continue }
            next[key.channel] = key
        }
        return next.values.filter { key in
            // An earlier part that is not sent blocks this one.
            !records.contains { $0.key.channel == key.channel && $0.key.part < key.part && $0.value.status != .sent }
        }
    }
}
