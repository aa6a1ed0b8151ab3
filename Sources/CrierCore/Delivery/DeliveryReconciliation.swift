import Foundation

/// Brings a post's deliveries in line with its (new) content — the rule for edits: channels and
/// parts the content now has get new delivery ids; pending ones it no longer has are cancelled;
/// sent, failed and in-flight ones are never touched, and neither is one whose last step is in
/// doubt (it may be on the platform already).
public enum DeliveryReconciliation {
    /// One channel of the post as now rendered.
    public struct ChannelParts: Sendable, Equatable {
        public var name: String
        public var partCount: Int
        /// Why this channel cannot be sent as rendered (too long under `long: reject`, ...), if so.
        public var unsendable: String?

        public init(name: String, partCount: Int, unsendable: String? = nil) {
            self.name = name
            self.partCount = partCount
            self.unsendable = unsendable
        }
    }

    /// Updates `records` in place and returns the keys of the deliveries it created.
    ///
    /// - Parameters:
    ///   - busy: deliveries with a request out; left alone.
    ///   - channels: the post's channels in the post's order (the stagger and slots follow it).
    ///   - rescheduled: the post is new or its `at` changed, so unstarted first parts are planned again.
    ///   - plannedDue: when a channel's first part goes (key, channel index).
    public static func reconcile(records: inout [DeliveryKey: DeliveryRecord], busy: Set<DeliveryKey>, postID: String,
                                 channels: [ChannelParts], rescheduled: Bool, scheduledAt: Date, now: Date,
                                 plannedDue: (DeliveryKey, Int) -> Date, newID: () -> String) -> [DeliveryKey] {
        let index = Dictionary(channels.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        func untouchable(_ key: DeliveryKey, _ record: DeliveryRecord) -> Bool {
            busy.contains(key) || record.progress.uncertainStep != nil
        }
        for key in records.keys.sorted() {
            guard var record = records[key], record.status == .pending, !untouchable(key, record) else { continue }
            let wanted = index[key.channel].map { channels[$0].partCount >= key.part } ?? false
            if !wanted {
                record.cancel(at: now, reason: "removed from the post by an edit")
            } else if record.attempts == 0, record.progress.isStart, rescheduled, key.part == 1 {
                record.dueAt = plannedDue(key, index[key.channel] ?? 0)
            }
            records[key] = record
        }
        var created: [DeliveryKey] = []
        for (position, channel) in channels.enumerated() where channel.partCount > 0 {
            for part in 1...channel.partCount {
                let key = DeliveryKey(post: postID, channel: channel.name, part: part)
                if records[key] == nil {
                    let dueAt = part == 1 ? plannedDue(key, position) : scheduledAt
                    records[key] = DeliveryRecord(id: newID(), key: key, dueAt: dueAt)
                    created.append(key)
                }
                // Caught when dropped, not by a platform's 400 at send time: the channel fails now,
                // with the renderer's reason (e.g. "too long for x: 311/280 (long: reject)").
                if let reason = channel.unsendable, var record = records[key], record.status == .pending,
                   !untouchable(key, record) {
                    record.refuse(at: now, reason: reason)
                    records[key] = record
                }
            }
        }
        return created
    }
}
