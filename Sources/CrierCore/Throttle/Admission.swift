import Foundation

/// Whether a due delivery may start on its channel now: the channel's in-flight cap, its rate
/// windows, gaps and quiet hours (already folded into `allowedAt` by `ThrottlePlanner`), and the
/// near-duplicate guard. Pure: the engine supplies the channel's numbers and acts on the answer.
public enum Admission: Sendable, Equatable {
    /// Start it.
    case go
    /// Start it, but it is a near-duplicate the channel's policy lets through (`warn`): say so.
    case goDespiteDuplicate(reason: String)
    /// The channel has no free in-flight slot: wait until one of its transfers completes.
    case waitForRoom
    /// Not before `until` (channel limits, quiet hours, or what the platform said).
    case later(until: Date, reason: String)
    /// A near-duplicate of a recent send held under the `hold` policy until the window has passed.
    case holdDuplicate(until: Date, reason: String)

    /// - Parameters:
    ///   - allowedAt: the channel's earliest allowed instant at or after `now`.
    ///   - inQuietHours: whether `allowedAt` was pushed by quiet hours (for the reason only).
    ///   - duplicate: the closest earlier send of another post on this channel, if similar enough.
    public static func decide(inFlight: Int, maxInFlight: Int, allowedAt: Date, inQuietHours: Bool, now: Date,
                              duplicate: NearDuplicate.Match?, policy: DuplicatePolicy, window: TimeInterval) -> Admission {
        if inFlight >= maxInFlight { return .waitForRoom }
        if allowedAt > now { return .later(until: allowedAt, reason: inQuietHours ? "quiet hours" : "channel limits") }
        guard let duplicate else { return .go }
        let earlier = "near-duplicate of '\(duplicate.postID)' sent \(DurationParser.format(now.timeIntervalSince(duplicate.sentAt))) ago"
        switch policy {
        case .hold: return .holdDuplicate(until: duplicate.sentAt.addingTimeInterval(window + 1), reason: earlier)
        case .warn: return .goDespiteDuplicate(reason: earlier + " (sent anyway)")
        case .allow: return .go
        }
    }
}
