import CrierCore
import Foundation

/// The engine's view of approvals: each unfinished post's approval row per channel, the deliveries
/// held until one arrives, and which posts were already alerted about as awaiting approval.
final class ApprovalBook {
    private var rows: [String: ApprovalRecord] = [:]
    /// Deliveries due but held for approval.
    var held: Set<DeliveryKey> = []
    /// Posts the approvers were alerted about (once per post per daemon run).
    var alerted: Set<String> = []

    static func key(_ post: String, _ channel: String) -> String { post + "\u{1F}" + channel }

    func restore(_ stored: [ApprovalRecord]) {
        rows = Dictionary(stored.map { (Self.key($0.postID, $0.channel), $0) }) { $1 }
    }

    func row(_ post: String, _ channel: String) -> ApprovalRecord? {
        rows[Self.key(post, channel)]
    }

    func set(_ record: ApprovalRecord) {
        rows[Self.key(record.postID, record.channel)] = record
    }

    /// Replaces every row with what the journal holds now; returns the rows that changed.
    func replace(with stored: [ApprovalRecord]) -> [ApprovalRecord] {
        let next = Dictionary(stored.map { (Self.key($0.postID, $0.channel), $0) }) { $1 }
        let changed = next.filter { rows[$0.key] != $0.value }.map(\.value)
        rows = next
        return changed
    }

    func forget(post: String) {
        rows = rows.filter { !$0.key.hasPrefix(post + "\u{1F}") }
        held = held.filter { $0.post != post }
        alerted.remove(post)
    }
}
