import Foundation

/// When a channel's first part of a post should go: the post's `at`; else the channel's next free
/// weekly slot; else when the post was accepted — then the post's channels spread by `stagger`, each
/// with its stable jitter. Deterministic, so the preview plans the same instants as the daemon.
public enum SlotAssignment {
    /// The planned instant, and the slot it takes (to be marked taken), if it is a slot.
    ///
    /// - Parameters:
    ///   - base: the post's scheduled time (its `at`, or when it was accepted).
    ///   - index: the channel's position among the post's channels (for the stagger).
    ///   - taken: slots of this channel already given to other deliveries.
    ///   - jitterKey: made only when there is jitter (the engine plans every delivery through here).
    public static func plannedDue(postHasTime: Bool, slots: WeeklySlots?, timeZone: TimeZone, taken: Set<Date>,
                                  base: Date, index: Int, stagger: TimeInterval, jitter: TimeInterval,
                                  jitterKey: @autoclosure () -> String,
                                  now: Date) -> (due: Date, slot: Date?) {
        if !postHasTime, let slots,
           let slot = slots.slots(after: now, timeZone: timeZone, limit: 2000).first(where: { !taken.contains($0) }) {
            return (slot, slot)
        }
        var due = base.addingTimeInterval(Double(index) * stagger)
        if jitter > 0 { due.addTimeInterval(StableJitter.fraction(for: jitterKey()) * jitter) }
        return (due, nil)
    }
}
