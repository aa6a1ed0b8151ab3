import CrierCore
import Foundation

/// The weekly-slot instants already given to a delivery, per channel: built on first use from the
/// pending deliveries, then kept up to date as slots are handed out (a slot freed by a
/// cancellation is reused after a restart). The choice itself is `SlotAssignment`'s.
///
/// Confined to the engine's queue.
final class SlotBook: @unchecked Sendable {
    // Confinement: used only on the engine's queue.
    private var taken: [String: Set<Date>] = [:]

    /// When `key`'s first part should go. `pendingDues` lists the channel's pending due times, read
    /// only the first time the channel is asked about; `current` is the delivery's own due time,
    /// whose slot it gives back before choosing again.
    func plannedDue(for key: DeliveryKey, post: Post, channel: ChannelConfig, config: CrierConfig, index: Int, base: Date,
                    current: Date?, now: Date, pendingDues: () -> [Date]) -> Date {
        if post.at == nil, channel.slots != nil {
            if taken[channel.name] == nil { taken[channel.name] = Set(pendingDues()) }
            if let current { taken[channel.name]?.remove(current) }
        }
        let planned = SlotAssignment.plannedDue(
            postHasTime: post.at != nil, slots: channel.slots, timeZone: channel.timeZone ?? config.timeZone,
            taken: taken[channel.name] ?? [], base: base, index: index, stagger: config.defaults.stagger,
            jitter: channel.limits.jitter, jitterKey: key.description, now: now)
        if let slot = planned.slot { taken[channel.name]?.insert(slot) }
        return planned.due
    }
}
