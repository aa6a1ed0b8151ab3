import CrierCore
import Foundation
import Testing

/// The decisions the engine used to make inline: admission, the circuit breaker, slot assignment.
@Suite struct AdmissionTests {
    let now = Date(timeIntervalSince1970: 1_000_000)
    let match = NearDuplicate.Match(postID: "thanks-1", sentAt: Date(timeIntervalSince1970: 1_000_000 - 3_600), similarity: 0.93)

    func decide(inFlight: Int = 0, allowedAt: Date? = nil, quiet: Bool = false, duplicate: NearDuplicate.Match? = nil,
                policy: DuplicatePolicy = .hold) -> Admission {
        Admission.decide(inFlight: inFlight, maxInFlight: 1, allowedAt: allowedAt ?? now, inQuietHours: quiet, now: now,
                         duplicate: duplicate, policy: policy, window: 86_400)
    }

    @Test func goesWhenNothingHoldsItBack() {
        #expect(decide() == .go)
    }

    @Test func aFullChannelWaitsForRoomBeforeAnythingElse() {
        #expect(decide(inFlight: 1, allowedAt: now.addingTimeInterval(60), duplicate: match) == .waitForRoom)
    }

    @Test func limitsAndQuietHoursSayUntilWhenAndWhy() {
        let later = now.addingTimeInterval(300)
        #expect(decide(allowedAt: later) == .later(until: later, reason: "channel limits"))
        #expect(decide(allowedAt: later, quiet: true) == .later(until: later, reason: "quiet hours"))
    }

    @Test func nearDuplicatesFollowThePolicy() {
        let until = match.sentAt.addingTimeInterval(86_401)
        #expect(decide(duplicate: match, policy: .hold) == .holdDuplicate(until: until, reason: "near-duplicate of 'thanks-1' sent 1h ago"))
        #expect(decide(duplicate: match, policy: .warn) == .goDespiteDuplicate(reason: "near-duplicate of 'thanks-1' sent 1h ago (sent anyway)"))
        #expect(decide(duplicate: match, policy: .allow) == .go)
    }
}

@Suite struct CircuitBreakerTests {
    let now = Date(timeIntervalSince1970: 1_000_000)
    let settings = CircuitBreaker.Settings(threshold: 3, cooldown: 60, maxCooldown: 200)
    let down = TransportResult.success(TransportResponse(status: 503))
    let up = TransportResult.success(TransportResponse(status: 200))

    func after(_ result: TransportResult, started: TimeInterval, ended: TimeInterval, _ state: ChannelState) -> ChannelState {
        CircuitBreaker.state(after: result, startedAt: now.addingTimeInterval(started), from: state, now: now.addingTimeInterval(ended))
    }

    @Test func failuresOfConcurrentTransfersCountOnce() {
        var state = ChannelState()
        // Fifty transfers started together, all failing within the same second: one failure.
        for index in 0..<50 { state = after(down, started: 0, ended: 0.5 + Double(index) * 0.01, state) }
        #expect(state.consecutiveFailures == 1)
        #expect(CircuitBreaker.trip(state, settings: settings, now: now) == nil)
        // Retries that start after the failure came back count, one wave each.
        state = after(down, started: 2, ended: 2.5, state)
        state = after(down, started: 4, ended: 4.5, state)
        #expect(state.consecutiveFailures == 3)
        let (open, transition) = try! #require(CircuitBreaker.trip(state, settings: settings, now: now))
        #expect(transition == .opened(until: now.addingTimeInterval(60)))
        #expect(open.isOpen)
        #expect(CircuitBreaker.trip(open, settings: settings, now: now) == nil, "an open breaker does not open again")
    }

    @Test func anyAnswerThatIsNotAFailureResetsTheCount() {
        var state = after(down, started: 0, ended: 1, ChannelState())
        state = after(.success(TransportResponse(status: 422)), started: 2, ended: 3, state)
        #expect(state.consecutiveFailures == 0, "a refused post says nothing against the channel")
        state = after(.failure(TransportError(kind: .cancelled, message: "shut down")), started: 4, ended: 5, state)
        #expect(state.consecutiveFailures == 0, "a shutdown teaches nothing")
    }

    @Test func theProbeClosesOrReopensForLonger() {
        let open = ChannelState(consecutiveFailures: 3, lastFailureAt: now, openUntil: now.addingTimeInterval(60), cooldown: 60)
        let later = now.addingTimeInterval(61)
        let (closed, closing) = CircuitBreaker.afterProbe(up, startedAt: later, state: open, settings: settings, now: later)
        #expect(closing == .closed)
        #expect(!closed.isOpen && closed.consecutiveFailures == 0 && closed.cooldown == 0)
        let (reopened, reopening) = CircuitBreaker.afterProbe(down, startedAt: later, state: open, settings: settings, now: later)
        #expect(reopening == .reopened(until: later.addingTimeInterval(120)))
        #expect(reopened.cooldown == 120)
        let (capped, _) = CircuitBreaker.afterProbe(down, startedAt: later, state: reopened, settings: settings, now: later)
        #expect(capped.cooldown == 200, "the cool-down doubles up to its maximum")
    }

    @Test func retryAfterPushesTheChannelButNeverPullsItForward() {
        let pushed = after(.success(TransportResponse(status: 429, headers: [HTTPHeader("Retry-After", "120")])), started: 0, ended: 0, ChannelState())
        #expect(pushed.notBefore == now.addingTimeInterval(120))
        let kept = after(.success(TransportResponse(status: 429, headers: [HTTPHeader("Retry-After", "5")])), started: 0, ended: 0, pushed)
        #expect(kept.notBefore == now.addingTimeInterval(120))
    }

    @Test func aZeroThresholdNeverOpens() {
        #expect(CircuitBreaker.trip(ChannelState(consecutiveFailures: 99), settings: .init(threshold: 0), now: now) == nil)
    }
}

@Suite struct SlotAssignmentTests {
    let utc = TimeZone(identifier: "UTC")!
    let morning = Date(timeIntervalSince1970: 1_795_334_400)  // 2026-11-22 08:00 UTC

    @Test func aPostWithATimeGoesAtItsTimeStaggeredByChannel() {
        let planned = SlotAssignment.plannedDue(postHasTime: true, slots: nil, timeZone: utc, taken: [], base: morning, index: 2,
                                                stagger: 120, jitter: 0, jitterKey: "p/c/1", now: morning)
        #expect(planned.due == morning.addingTimeInterval(240))
        #expect(planned.slot == nil)
    }

    @Test func aPostWithoutATimeTakesTheNextFreeSlot() throws {
        let slots = try WeeklySlots.parse(["daily 09:00"]).get()
        let nine = morning.addingTimeInterval(3_600)
        let first = SlotAssignment.plannedDue(postHasTime: false, slots: slots, timeZone: utc, taken: [], base: morning, index: 0,
                                              stagger: 0, jitter: 0, jitterKey: "a/c/1", now: morning)
        #expect(first.due == nine)
        #expect(first.slot == nine)
        let second = SlotAssignment.plannedDue(postHasTime: false, slots: slots, timeZone: utc, taken: [nine], base: morning, index: 0,
                                               stagger: 0, jitter: 0, jitterKey: "b/c/1", now: morning)
        #expect(second.due == nine.addingTimeInterval(86_400), "a taken slot is skipped")
    }

    @Test func jitterIsStablePerDelivery() {
        func due(_ key: String) -> Date {
            SlotAssignment.plannedDue(postHasTime: true, slots: nil, timeZone: utc, taken: [], base: morning, index: 0, stagger: 0,
                                      jitter: 60, jitterKey: key, now: morning).due
        }
        #expect(due("p/c/1") == due("p/c/1"))
        #expect(due("p/c/1") >= morning && due("p/c/1") < morning.addingTimeInterval(60))
    }
}
