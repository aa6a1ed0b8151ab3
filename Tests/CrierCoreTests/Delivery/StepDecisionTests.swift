import CrierCore
import Foundation
import Testing

/// The step seam's rules: what a step's result means (`StepClassifier`), and what may be sent
/// next (`StepPlan`) — above all, that a step which is not safe to repeat is never sent twice
/// blindly.
@Suite struct StepClassifierStepTests {
    let now = Date(timeIntervalSince1970: 1_000_000)
    let classifier = StepClassifier(policy: RetryPolicy(maxAttempts: 3, baseDelay: 10, maxDelay: 60))
    let publish = StepRequest(name: "publish", request: OutgoingRequest(url: "http://127.0.0.1:9/publish"), repeatSafe: false)
    let lookup = StepRequest(name: "lookup", request: OutgoingRequest(method: "GET", url: "http://127.0.0.1:9/posts"), repeatSafe: true)
    let lostAnswer = TransportError(kind: .network, message: "Empty reply from server", requestSent: true)
    let refused = TransportError(kind: .connect, message: "Connection refused", requestSent: false)

    func classify(_ result: TransportResult, _ step: StepRequest, progress: DeliveryProgress, expiresAt: Date? = nil,
                  answer: StepAnswer = .standard) -> StepClassifier.Decision {
        classifier.classify(result, of: step, answer: { _ in answer }, progress: progress, now: now, expiresAt: expiresAt, randomFraction: 0.5)
    }

    /// What the engine journals before it sends a step that is not repeat-safe.
    var sendingPublish: DeliveryProgress { DeliveryProgress(values: ["draft": "dr_1"], done: ["prepare"], uncertainStep: "publish") }

    @Test func aLostAnswerToAStepThatIsNotRepeatSafeKeepsItUncertain() {
        let decision = classify(.failure(lostAnswer), publish, progress: sendingPublish)
        #expect(decision.progress.uncertainStep == "publish")
        #expect(decision.progress.values == ["draft": "dr_1"], "what earlier steps yielded is kept")
        guard case .retry(let at, let reason, _) = decision.outcome else { Issue.record("\(decision.outcome)"); return }
        #expect(at > now, "the lookup waits a backoff: the platform may still be acting")
        #expect(reason.contains("may have reached the platform"))
    }

    @Test func aServerErrorToAStepThatIsNotRepeatSafeIsAnUnknownOutcome() {
        for status in [500, 502, 504] {
            let decision = classify(.success(TransportResponse(status: status, body: Data("upstream".utf8))), publish, progress: sendingPublish)
            #expect(decision.progress.uncertainStep == "publish", "HTTP \(status)")
            guard case .retry(_, let reason, let code) = decision.outcome else { Issue.record("\(decision.outcome)"); continue }
            #expect(code == status && reason.contains("may have acted on it"))
        }
        // 503 and 429 say the request was not carried out; a repeat-safe step is retried either way.
        let busy = classify(.success(TransportResponse(status: 503)), publish, progress: sendingPublish)
        #expect(busy.progress.uncertainStep == nil)
        let send = StepRequest(name: "send", request: publish.request, repeatSafe: true)
        #expect(classify(.success(TransportResponse(status: 502)), send, progress: .start).progress.uncertainStep == nil)
        // Out of tries after a 500: unknown, never failed.
        let last = classify(.success(TransportResponse(status: 500)), publish,
                            progress: DeliveryProgress(values: ["draft": "dr_1"], uncertainStep: "publish", stepAttempts: 2))
        guard case .unknown = last.outcome else { Issue.record("\(last.outcome)"); return }
    }

    @Test func aRequestThatNeverLeftClearsItsOwnDoubt() {
        let decision = classify(.failure(refused), publish, progress: sendingPublish)
        #expect(decision.progress.uncertainStep == nil)
        guard case .retry = decision.outcome else { Issue.record("\(decision.outcome)"); return }
    }

    @Test func aRepeatSafeStepIsRetriedLikeAnyNetworkError() {
        let send = StepRequest(name: "send", request: publish.request, repeatSafe: true)
        let decision = classify(.failure(lostAnswer), send, progress: .start)
        #expect(decision.progress.uncertainStep == nil)
        guard case .retry = decision.outcome else { Issue.record("\(decision.outcome)"); return }
    }

    @Test func aFailedLookupLeavesTheEarlierDoubtInPlace() {
        let decision = classify(.failure(refused), lookup, progress: sendingPublish)
        #expect(decision.progress.uncertainStep == "publish")
    }

    @Test func outOfTriesOrTimeWhileInDoubtIsUnknownNeverFailed() {
        var tired = sendingPublish
        tired.stepAttempts = 2
        guard case .unknown(let reason) = classify(.failure(lostAnswer), publish, progress: tired).outcome else {
            Issue.record("out of attempts while uncertain must be unknown")
            return
        }
        #expect(reason.hasPrefix("gave up after 3 attempts"))
        guard case .unknown = classify(.failure(lostAnswer), publish, progress: sendingPublish, expiresAt: now.addingTimeInterval(1)).outcome else {
            Issue.record("expired while uncertain must be unknown")
            return
        }
        guard case .unknown = classify(.success(TransportResponse(status: 404)), lookup, progress: sendingPublish).outcome else {
            Issue.record("a lookup refused for good while uncertain must be unknown")
            return
        }
    }

    @Test func anAnsweredStepAdvancesWithWhatItYielded() {
        let prepared = DeliveryProgress().completing("prepare", values: ["draft": "dr_9"])
        let decision = classify(.success(TransportResponse(status: 200)), lookup, progress: DeliveryProgress(stepAttempts: 2),
                                answer: .advanced(prepared))
        #expect(decision.outcome == .advanced(httpStatus: 200))
        #expect(decision.progress == prepared, "attempts start again for the next step")
    }

    @Test func aLookupThatFindsNothingClearsTheDoubtSoThePublishCanBeSentAgain() {
        let decision = classify(.success(TransportResponse(status: 200)), lookup, progress: sendingPublish, answer: .advanced(sendingPublish))
        #expect(decision.progress.uncertainStep == nil)
        #expect(decision.progress.done == ["prepare"])
    }

    @Test func anAnswerToTheUncertainStepItselfSettlesIt() {
        let decision = classify(.success(TransportResponse(status: 422, body: Data(#"{"error":"Validation failed"}"#.utf8))), publish,
                                progress: sendingPublish)
        #expect(decision.outcome == .failed(reason: "HTTP 422: Validation failed", httpStatus: 422))
        #expect(decision.progress.uncertainStep == nil)
    }

    @Test func anAdapterRetryHonoursItsWait() {
        let decision = classify(.success(TransportResponse(status: 206)), lookup, progress: .start, answer: .retry("media still processing", after: 7))
        #expect(decision.outcome == .retry(at: now.addingTimeInterval(7), reason: "media still processing", httpStatus: 206))
        #expect(decision.progress.stepAttempts == 1)
    }
}

@Suite struct StepPlanTests {
    let request = OutgoingRequest(url: "http://127.0.0.1:9/")

    @Test func aRepeatSafeStepIsSentAsItIs() {
        let step = StepRequest(name: "send", request: request, repeatSafe: true)
        #expect(StepPlan.next(.request(step), progress: .start, lastStatus: nil) == .send(step, journalFirst: false))
    }

    @Test func aStepThatIsNotRepeatSafeIsJournaledAsUncertainBeforeItGoes() {
        let step = StepRequest(name: "publish", request: request, repeatSafe: false)
        #expect(StepPlan.next(.request(step), progress: .start, lastStatus: nil) == .send(step, journalFirst: true))
    }

    @Test func whileInDoubtOnlyARepeatSafeLookupMayGo() {
        let doubt = DeliveryProgress(uncertainStep: "publish")
        let lookup = StepRequest(name: "lookup", request: request, repeatSafe: true)
        #expect(StepPlan.next(.request(lookup), progress: doubt, lastStatus: nil) == .send(lookup, journalFirst: false))
        let again = StepRequest(name: "publish", request: request, repeatSafe: false)
        guard case .holdUnknown(let reason) = StepPlan.next(.request(again), progress: doubt, lastStatus: nil) else {
            Issue.record("a second publish while in doubt must be held")
            return
        }
        #expect(reason.contains("'publish'"))
    }

    @Test func doneAndFailEndTheDelivery() {
        let remote = RemoteReference(id: "7", url: "https://example.social/7")
        #expect(StepPlan.next(.done(remote), progress: .start, lastStatus: 201) == .finish(.sent(remote, httpStatus: 201)))
        #expect(StepPlan.next(.fail("no token"), progress: .start, lastStatus: nil) == .finish(.failed(reason: "no token", httpStatus: nil)))
    }
}

@Suite struct DeliveryRecordUnknownTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    func held() -> DeliveryRecord {
        var record = DeliveryRecord(id: "d_1", key: DeliveryKey(post: "p", channel: "c", part: 2), dueAt: now,
                                    progress: DeliveryProgress(values: ["draft": "dr_2"], done: ["prepare"], uncertainStep: "publish"))
        record.apply(.unknown(reason: "publish: no answer"), at: now)
        return record
    }

    @Test func unknownIsNeitherPendingNorFinal() {
        let record = held()
        #expect(record.status == .unknown)
        #expect(!record.status.isFinal)
        #expect(record.dueAt == nil)
        #expect(PostOutcome.of([.sent, .unknown]) == nil, "a post with an unknown delivery is not filed")
        var cancelled = record
        cancelled.cancel(at: now, reason: "file deleted")
        #expect(cancelled.status == .unknown, "only the operator can settle an unknown delivery")
    }

    @Test func resolvedAsSentKeepsTheURL() {
        var record = held()
        record.resolve(sent: RemoteReference(id: "p_2", url: "https://x/p_2"), at: now)
        #expect(record.status == .sent)
        #expect(record.remote?.url == "https://x/p_2")
        #expect(record.progress.uncertainStep == nil)
    }

    @Test func resolvedAsNotSentRedoesOnlyTheUncertainStep() {
        var record = held()
        record.resolveNotSent(at: now)
        #expect(record.status == .pending)
        #expect(record.dueAt == now)
        #expect(record.progress.uncertainStep == nil)
        #expect(record.progress.isDone("prepare"), "the draft is not prepared again")
    }
}

/// What a receiver's headers may say without breaking crier (found by fuzzing).
@Suite struct HostileHeaderTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: ["m\u{34B}", "W\u{34B}ed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT\u{0}", String(repeating: "9", count: 100)])
    func aRetryAfterThatIsNotAnHTTPDateIsIgnoredNotFatal(_ value: String) {
        #expect(RetryAfter.seconds(value, now: now) == nil)
    }

    @Test(arguments: ["inf", "1e300", "1800000000000", "-inf", "nan"])
    func aRateLimitResetNeverSilencesAChannelForLongerThanMaxRetryAfter(_ reset: String) {
        let response = TransportResponse(status: 200, headers: [HTTPHeader("x-ratelimit-remaining", "0"), HTTPHeader("x-ratelimit-reset", reset)])
        let wait = RateLimitSignal.wait(in: response, now: now)
        #expect(wait.map { $0.isFinite && $0 >= 0 && $0 <= RetryPolicy().maxRetryAfter } ?? true)
    }

    @Test func anEpochInMillisecondsIsReadAsOne() {
        let response = TransportResponse(status: 200, headers: [HTTPHeader("x-ratelimit-remaining", "0"),
                                                                HTTPHeader("x-ratelimit-reset", "1800000060000")])
        #expect(RateLimitSignal.wait(in: response, now: now) == 60)
    }
}
