import CrierCore
import Foundation

/// One channel's live throttle state in the engine: its recent sends (rebuilt from the journal on
/// start), what its answers taught (not-before, consecutive failures), transfers in flight, and the
/// deliveries waiting for an in-flight slot. The decisions themselves are the pure `ThrottlePlanner`
/// and `NearDuplicate` of CrierCore.
///
/// A class confined to the engine's queue: a value kept in the engine's dictionary would copy the
/// whole send history each time a send is recorded.
final class ChannelGate {
    let name: String
    var limits: ChannelLimits
    var duplicates: DuplicateSettings
    var timeZone: TimeZone
    var history: [SendRecord] = []
    var state = ChannelState()
    var inFlight = 0
    var waiting: [DeliveryKey] = []
    /// Delivery ids whose request is out: their history entry counts as "now" until they complete.
    var outstanding: Set<String> = []
    /// The half-open probe: the one delivery whose answer decides whether the breaker closes.
    var probe: DeliveryKey?
    /// Deliveries put off until the open breaker's probe time; sent for at once if it closes early.
    var heldByBreaker: Set<DeliveryKey> = []
    /// With several daemons: the store said the channel's next send (by any node) may start no
    /// earlier than this, so no delivery of it asks again before then.
    var clusterNotBefore: Date?

    init(name: String, limits: ChannelLimits, duplicates: DuplicateSettings, timeZone: TimeZone) {
        self.name = name
        self.limits = limits
        self.duplicates = duplicates
        self.timeZone = timeZone
    }

    /// Whether sends must be journaled before they go out (anything that counts past sends).
    var isThrottled: Bool {
        !limits.windows.isEmpty || limits.minGap > 0 || duplicates.policy != .allow
    }

    /// Whether the channel limits how often it is sent to (a gap or a budget per window).
    var limitsRate: Bool {
        !limits.windows.isEmpty || limits.minGap > 0
    }

    /// How far back history matters.
    var memory: TimeInterval {
        max(limits.windows.map(\.seconds).max() ?? 0, limits.minGap, duplicates.policy == .allow ? 0 : duplicates.window)
    }

    /// The earliest instant at or after `now` at which one more send is allowed. When the throttle
    /// pushes a send, the delivery's stable jitter goes on top (then out of quiet hours again), so
    /// held-back sends do not land on an exact beat; the next check at that instant lets it through.
    ///
    /// A send counts from when it completed (its answer came back), and while in flight as happening
    /// now: so every request reaches the receiver at least the gap after the previous one arrived,
    /// whatever the latency of each.
    /// - Parameter jitterKey: made only when the send is pushed (it is a string built per delivery).
    func allowedAt(now: Date, jitterKey: () -> String) -> Date {
        let times = history.map { outstanding.contains($0.deliveryID) ? max($0.at, now) : $0.at }
        // The later of the two floors, without building an array for it on every admission.
        let notBefore = switch (state.notBefore, clusterNotBefore) {
        case (let own?, let cluster?): max(own, cluster)
        case (let own, let cluster): own ?? cluster
        }
        let allowed = ThrottlePlanner.earliestAllowed(candidate: now, history: times, limits: limits,
                                                      notBefore: notBefore, timeZone: timeZone)
        guard allowed > now else { return now }
        return ThrottlePlanner.plan(candidate: now, jitterKey: jitterKey(), history: times, limits: limits,
                                    notBefore: notBefore, timeZone: timeZone)
    }

    /// Whether a due delivery may start now (`Admission` decides; this supplies the channel's numbers).
    /// - Parameter text: looked up only for the near-duplicate guard (a channel without one asks
    ///   for it on no send).
    func admission(of key: DeliveryKey, text: @autoclosure () -> String?, now: Date) -> Admission {
        let allowed = inFlight >= limits.maxInFlight ? now : allowedAt(now: now) { key.description }
        let quiet = allowed > now && (limits.quiet.map { $0.firstAllowed(atOrAfter: now, timeZone: timeZone) > now } ?? false)
        let match = allowed > now || duplicates.policy == .allow ? nil
            : text().flatMap { nearDuplicate(of: $0, now: now) }.flatMap { $0.postID == key.post ? nil : $0 }
        return Admission.decide(inFlight: inFlight, maxInFlight: limits.maxInFlight, allowedAt: allowed, inQuietHours: quiet, now: now,
                                duplicate: match, policy: duplicates.policy, window: duplicates.window)
    }

    /// An earlier send on this channel too similar to `text`, per the channel's guard.
    func nearDuplicate(of text: String, now: Date) -> NearDuplicate.Match? {
        guard duplicates.policy != .allow else { return nil }
        let recent = history.map { (postID: $0.postID, text: $0.text, sentAt: $0.at) }
        return NearDuplicate.findMatch(text: text, recent: recent, now: now, window: duplicates.window, threshold: duplicates.threshold)
    }

    /// Moves a send's time from its start to its completion.
    func completed(deliveryID: String, at now: Date) -> (started: Date, completed: Date)? {
        guard outstanding.remove(deliveryID) != nil,
              let index = history.lastIndex(where: { $0.deliveryID == deliveryID }) else { return nil }
        let started = history[index].at
        history[index].at = max(started, now)
        return (started, history[index].at)
    }

    // MARK: Circuit breaker (the transitions are the pure `CircuitBreaker`; this keeps its state)

    /// What the breaker says about a due delivery of this channel.
    enum BreakerPass: Equatable {
        /// Closed: the usual admission decides.
        case closed
        /// Open until then: put off, and sent for at once should it close earlier.
        case heldUntil(Date)
        /// Half-open with a probe out: waits for the probe's answer.
        case waitingForProbe
        /// Half-open: this delivery is the probe.
        case probe
    }

    func breakerPass(for key: DeliveryKey, now: Date) -> BreakerPass {
        guard let openUntil = state.openUntil else { return .closed }
        if now < openUntil {
            heldByBreaker.insert(key)
            return .heldUntil(openUntil)
        }
        guard probe == nil else {
            waiting.append(key)
            return .waitingForProbe
        }
        probe = key
        heldByBreaker.remove(key)
        return .probe
    }

    /// Takes in a transfer's result: frees its in-flight slot (the deliveries waiting for one are
    /// returned, to be scheduled again) and moves the breaker (`CircuitBreaker`). An answer read as
    /// "the session expired" counts neither for nor against the channel unless it answers the probe.
    func learn(from result: TransportResult, of key: DeliveryKey, startedAt: Date, now: Date, threshold: Int,
               sessionExpired: Bool) -> (released: [DeliveryKey], stateChanged: Bool, transition: CircuitBreaker.Transition?) {
        inFlight = max(0, inFlight - 1)
        let released = waiting
        waiting.removeAll()
        if sessionExpired, probe != key { return (released, false, nil) }
        let before = state
        let settings = CircuitBreaker.Settings(threshold: threshold)
        var transition: CircuitBreaker.Transition?
        if probe == key, state.isOpen {
            probe = nil
            (state, transition) = CircuitBreaker.afterProbe(result, startedAt: startedAt, state: state, settings: settings, now: now)
        } else {
            state = CircuitBreaker.state(after: result, startedAt: startedAt, from: state, now: now)
            if let (tripped, opened) = CircuitBreaker.trip(state, settings: settings, now: now) {
                state = tripped
                transition = opened
            }
        }
        return (released, state != before, transition)
    }

    /// The probe ended without a request (expired, refused): the deliveries waiting for it are
    /// returned, and the next one probes.
    func probeEndedWithoutRequest() -> [DeliveryKey] {
        probe = nil
        let released = waiting
        waiting.removeAll()
        return released
    }

    /// Closes an open breaker (the operator's `crier resume CHANNEL`, seen in the journal); the
    /// deliveries it held are returned, to go at once.
    func closeBreaker() -> Set<DeliveryKey> {
        state.openUntil = nil
        state.cooldown = 0
        state.consecutiveFailures = 0
        state.lastFailureAt = nil
        probe = nil
        return takeHeldByBreaker()
    }

    /// The deliveries an open breaker put off, handed over once.
    func takeHeldByBreaker() -> Set<DeliveryKey> {
        defer { heldByBreaker.removeAll() }
        return heldByBreaker
    }

    func record(_ send: SendRecord) {
        history.append(send)
        let horizon = send.at.addingTimeInterval(-memory)
        if let first = history.first, first.at < horizon {
            history.removeAll { $0.at < horizon }
        }
    }
}
