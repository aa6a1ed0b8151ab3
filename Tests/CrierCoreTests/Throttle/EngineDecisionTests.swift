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

    @Test func failuresInARowCountAndASuccessResets() {
        var state = ChannelState()
        for status in [503, 429, 401, 403] {
            state = CircuitBreaker.state(after: .success(TransportResponse(status: status)), from: state, now: now)
        }
        state = CircuitBreaker.state(after: .failure(TransportError(kind: .connect, message: "refused")), from: state, now: now)
        #expect(state.consecutiveFailures == 5)
        #expect(CircuitBreaker.trips(state, threshold: 5))
        #expect(!CircuitBreaker.trips(state, threshold: 6))
        #expect(!CircuitBreaker.trips(state, threshold: 0), "0 means never")
        #expect(CircuitBreaker.state(after: .success(TransportResponse(status: 200)), from: state, now: now).consecutiveFailures == 0)
        #expect(CircuitBreaker.state(after: .success(TransportResponse(status: 422)), from: state, now: now).consecutiveFailures == 0,
                "a refused post says nothing about the channel")
    }

    @Test func aShutdownTeachesNothing() {
        let state = ChannelState(consecutiveFailures: 2)
        #expect(CircuitBreaker.state(after: .failure(TransportError(kind: .cancelled, message: "shut down")), from: state, now: now) == state)
    }

    @Test func retryAfterPushesTheChannelButNeverPullsItForward() {
        let pushed = CircuitBreaker.state(after: .success(TransportResponse(status: 429, headers: [HTTPHeader("Retry-After", "120")])),
                                          from: ChannelState(), now: now)
        #expect(pushed.notBefore == now.addingTimeInterval(120))
        let kept = CircuitBreaker.state(after: .success(TransportResponse(status: 429, headers: [HTTPHeader("Retry-After", "5")])),
                                        from: pushed, now: now)
        #expect(kept.notBefore == now.addingTimeInterval(120))
    }

    @Test func thePauseReasonSaysWhatToDo() {
        let reason = CircuitBreaker.pauseReason(channel: "ops", state: ChannelState(consecutiveFailures: 5),
                                                last: .success(TransportResponse(status: 503)))
        #expect(reason == "circuit breaker: 5 failed attempts in a row (last: HTTP 503); fix the channel, then `crier resume ops`")
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
