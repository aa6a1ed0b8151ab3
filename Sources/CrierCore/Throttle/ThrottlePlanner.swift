import Foundation

/// The throttle decision for one channel. Pure: the caller passes the clock (`candidate`), the
/// journal's send history and the channel's time zone.
public enum ThrottlePlanner {
    /// The earliest instant >= `candidate` at which one more send on the channel is allowed.
    ///
    /// - history: instants of sends on this channel, ascending (sorted here if not); sends older
    ///   than every window are harmless.
    /// - notBefore: a reactive floor (Retry-After, a rate-limit reset), if any.
    ///
    /// The result satisfies every effective window (the `count`-th most recent send is at least
    /// `seconds` old, so the window holds at most `count` sends including this one), `minGap` after
    /// the last send, `notBefore`, and is never before the last send (if the clock stepped back, the
    /// channel waits rather than bursts); then it moves out of quiet hours. Those first constraints
    /// are fixed lower bounds given the history, so once their maximum is taken, leaving quiet hours
    /// (which only moves later) cannot break them: one pass suffices and always terminates.
    public static func earliestAllowed(candidate: Date, history: [Date], limits: ChannelLimits,
                                       notBefore: Date?, timeZone: TimeZone) -> Date {
        var floor = candidate.timeIntervalSinceReferenceDate
        if let notBefore { floor = max(floor, notBefore.timeIntervalSinceReferenceDate) }
        let sends = isAscending(history) ? history : history.sorted()
        if let last = sends.last?.timeIntervalSinceReferenceDate {
            floor = max(floor, last)
            if limits.minGap > 0 { floor = max(floor, after(last, limits.minGap)) }
        }
        for window in limits.windows where window.isEffective && sends.count >= window.count {
            let oldest = sends[sends.count - window.count].timeIntervalSinceReferenceDate
            floor = max(floor, after(oldest, window.seconds))
        }
        let earliest = Date(timeIntervalSinceReferenceDate: floor)
        guard let quiet = limits.quiet else { return earliest }
        return quiet.firstAllowed(atOrAfter: earliest, timeZone: timeZone)
    }

    /// The planned instant with jitter: `earliestAllowed`, pushed later by
    /// `StableJitter.offset(for: jitterKey, jitter: limits.jitter)`, then out of quiet hours again.
    ///
    /// Jitter is added after the throttle (not to the candidate) so that sends held back to a window
    /// boundary are jittered too instead of going out on an exact beat. Use this in both the engine
    /// and the preview; pass a key that is stable across restarts, e.g. "post/channel/part".
    public static func plan(candidate: Date, jitterKey: String, history: [Date], limits: ChannelLimits,
                            notBefore: Date?, timeZone: TimeZone) -> Date {
        let earliest = earliestAllowed(candidate: candidate, history: history, limits: limits,
                                       notBefore: notBefore, timeZone: timeZone)
        let offset = StableJitter.offset(for: jitterKey, jitter: limits.jitter)
        guard offset > 0 else { return earliest }
        return earliestAllowed(candidate: earliest.addingTimeInterval(offset), history: history, limits: limits,
                               notBefore: notBefore, timeZone: timeZone)
    }

    /// The smallest representable instant `t` with `t - base >= span`, so that checks done by
    /// subtraction agree exactly with the plan (plain `base + span` can round down by one ulp).
    static func after(_ base: TimeInterval, _ span: TimeInterval) -> TimeInterval {
        var instant = base + span
        while instant - base < span { instant = instant.nextUp }
        return instant
    }

    private static func isAscending(_ dates: [Date]) -> Bool {
        var index = 1
        while index < dates.count {
            if dates[index] < dates[index - 1] { return false }
            index += 1
        }
        return true
    }
}
