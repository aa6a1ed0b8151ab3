import Foundation

/// Decides what the result of one step means for a delivery (README "Delivery semantics", and the
/// `unknown` outcome): the pure heart of the engine's send loop.
///
/// A transfer that failed is one of three things: *not sent* (nothing reached the platform: resolve,
/// connect or TLS failed), *answered* (any HTTP status), or *unknown* (the request went out and no
/// answer came back). Unknown is retried like any network error when the step is safe to repeat;
/// when it is not, the step stays marked uncertain in the progress and the adapter gets to look
/// the result up (`StepPlan.next`) — it is never sent again blindly.
public struct StepClassifier: Sendable {
    public var policy: RetryPolicy

    public init(policy: RetryPolicy) {
        self.policy = policy
    }

    /// The decision for a step's result: the outcome for the record and its new progress.
    public struct Decision: Sendable, Equatable {
        public var outcome: AttemptOutcome
        public var progress: DeliveryProgress
        /// What the engine must do with the channel's session, if anything.
        public var session: SessionChange? = nil
    }

    /// - Parameters:
    ///   - answer: the adapter's reading of an HTTP response (`read`); unused for transport failures.
    ///   - progress: the progress the step was sent with (its `uncertainStep` set for steps that are
    ///     not repeat-safe).
    ///   - randomFraction: in 0..<1, for backoff jitter.
    public func classify(_ result: TransportResult, of step: StepRequest, answer: (TransportResponse) -> StepAnswer,
                         progress: DeliveryProgress, now: Date, expiresAt: Date?, randomFraction: Double) -> Decision {
        var decision = decide(result, of: step, answer: answer, progress: progress, now: now, expiresAt: expiresAt,
                              randomFraction: randomFraction)
        // While a step's outcome is in doubt, the delivery never ends as failed or expired: it may
        // be on the platform already. Only the operator can say (`unknown`).
        if decision.progress.uncertainStep != nil {
            switch decision.outcome {
            case .failed(let reason, _), .expired(let reason, _):
                decision.outcome = .unknown(reason: reason)
            default:
                break
            }
        }
        return decision
    }

    private func decide(_ result: TransportResult, of step: StepRequest, answer: (TransportResponse) -> StepAnswer,
                        progress: DeliveryProgress, now: Date, expiresAt: Date?, randomFraction: Double) -> Decision {
        var next = progress
        let attempt = progress.stepAttempts + 1
        next.stepAttempts = attempt
        switch result {
        case .failure(let error):
            if error.requestSent && !step.repeatSafe {
                // Unknown: the step is marked uncertain; the next step must be a lookup, or the
                // delivery is held. The backoff leaves the platform time to finish what it started.
                next.uncertainStep = step.name
                return Decision(outcome: retryOrGiveUp(reason: "\(step.name): \(error.description) (the request may have reached the platform)",
                                                       httpStatus: nil, retryAfter: nil, attempt: attempt, now: now, expiresAt: expiresAt,
                                                       randomFraction: randomFraction),
                                progress: next)
            }
            // This step's own request never left (or is safe to repeat): no doubt about it. A doubt
            // about an earlier step stays.
            if progress.uncertainStep == step.name { next.uncertainStep = nil }
            guard error.isRetryable else {
                return Decision(outcome: .failed(reason: error.description, httpStatus: nil), progress: next)
            }
            return Decision(outcome: retryOrGiveUp(reason: error.description, httpStatus: nil, retryAfter: nil, attempt: attempt,
                                                   now: now, expiresAt: expiresAt, randomFraction: randomFraction),
                            progress: next)
        case .success(let response):
            // The platform answered this step; an adapter that was shown a doubt and answers
            // `advanced` or `sent` has settled it (its lookup found the post, or found none).
            if progress.uncertainStep == step.name { next.uncertainStep = nil }
            switch answer(response) {
            case .advanced(let advanced):
                var progressed = advanced
                progressed.uncertainStep = nil
                progressed.stepAttempts = 0
                progressed.sessionRenewals = 0
                return Decision(outcome: .advanced(httpStatus: response.status), progress: progressed)
            case .renewed(let session):
                // The delivery's own progress is unchanged: its next step is asked for again, now
                // with the new session.
                next.stepAttempts = 0
                return Decision(outcome: .advanced(httpStatus: response.status), progress: next, session: .store(session))
            case .sessionExpired(let reason):
                next.stepAttempts = progress.stepAttempts
                next.sessionRenewals = progress.sessionRenewals + 1
                guard next.sessionRenewals <= DeliveryProgress.maxSessionRenewals else {
                    return Decision(outcome: .failed(reason: "\(reason) (still refused after \(DeliveryProgress.maxSessionRenewals) renewals of the session)",
                                                     httpStatus: response.status),
                                    progress: next)
                }
                return Decision(outcome: .retry(at: now, reason: reason, httpStatus: response.status), progress: next,
                                session: .expired)
            case .sent(let remote):
                next.uncertainStep = nil
                next.stepAttempts = 0
                return Decision(outcome: .sent(remote, httpStatus: response.status), progress: next)
            case .failed(let reason):
                return Decision(outcome: .failed(reason: reason, httpStatus: response.status), progress: next)
            case .retry(let reason, let after):
                return Decision(outcome: retryOrGiveUp(reason: reason, httpStatus: response.status, retryAfter: after, attempt: attempt,
                                                       now: now, expiresAt: expiresAt, randomFraction: randomFraction),
                                progress: next)
            case .standard:
                return standard(response, of: step, attempt: attempt, progress: next, now: now, expiresAt: expiresAt,
                                randomFraction: randomFraction)
            }
        }
    }

    /// The generic HTTP rules: 2xx sent; 408, 425, 429 and 5xx retried (honouring `Retry-After`);
    /// anything else failed at once with the receiver's words (3xx: crier does not follow redirects).
    private func standard(_ response: TransportResponse, of step: StepRequest, attempt: Int, progress: DeliveryProgress, now: Date,
                          expiresAt: Date?, randomFraction: Double) -> Decision {
        var next = progress
        if !step.repeatSafe, Self.mayHaveActed(status: response.status) {
            // A 500, 502 or 504 says nothing about whether the platform (behind its gateway) made
            // the post: for a step that is not safe to repeat that is an unknown outcome, looked up
            // where the platform allows, else held for the operator — never sent again blindly.
            next.uncertainStep = step.name
            let reason = "\(step.name): HTTP \(response.status): \(ReceiverMessage.summary(of: response)) (the platform may have acted on it)"
            return Decision(outcome: retryOrGiveUp(reason: reason, httpStatus: response.status, retryAfter: nil, attempt: attempt, now: now,
                                                   expiresAt: expiresAt, randomFraction: randomFraction),
                            progress: next)
        }
        if (200..<300).contains(response.status) {
            next.uncertainStep = nil
            next.stepAttempts = 0
            return Decision(outcome: .sent(nil, httpStatus: response.status), progress: next)
        }
        let message = ReceiverMessage.summary(of: response)
        guard Self.isRetryable(status: response.status) else {
            let hint = (300..<400).contains(response.status)
                ? "redirected\(response.headers.value(for: "Location").map { " to \($0)" } ?? ""); crier does not follow redirects, update the channel url"
                : message
            return Decision(outcome: .failed(reason: "HTTP \(response.status): \(hint)", httpStatus: response.status), progress: next)
        }
        // Retry-After, or an exhausted rate-limit budget's reset time (Mastodon's `X-RateLimit-Reset`).
        let retryAfter = [response.headers.value(for: "Retry-After").flatMap { RetryAfter.seconds($0, now: now) },
                          RateLimitSignal.wait(in: response, now: now, maxWait: policy.maxRetryAfter)].compactMap { $0 }.max()
        return Decision(outcome: retryOrGiveUp(reason: "HTTP \(response.status): \(message)", httpStatus: response.status,
                                               retryAfter: retryAfter, attempt: attempt, now: now, expiresAt: expiresAt,
                                               randomFraction: randomFraction),
                        progress: next)
    }

    private func retryOrGiveUp(reason: String, httpStatus: Int?, retryAfter: TimeInterval?, attempt: Int, now: Date,
                               expiresAt: Date?, randomFraction: Double) -> AttemptOutcome {
        if attempt >= policy.maxAttempts {
            return .failed(reason: "gave up after \(attempt) attempts; last: \(reason)", httpStatus: httpStatus)
        }
        // An adapter's wait is the platform's number (a header, a JSON field): NaN (which `min`
        // passes through) would schedule the retry at no time at all, a negative one in the past.
        let given = retryAfter.flatMap { $0.isNaN ? nil : max(0, $0) }
        let wait = given.map { min($0, policy.maxRetryAfter) }
            ?? policy.backoff(afterAttempt: attempt, randomFraction: randomFraction)
        let next = now.addingTimeInterval(wait)
        if let expiresAt, next > expiresAt {
            return .expired(reason: "expired: the next try would be at \(TimestampFormat.string(next)), after the post expires at \(TimestampFormat.string(expiresAt)); last: \(reason)", attempted: true)
        }
        return .retry(at: next, reason: reason, httpStatus: httpStatus)
    }

    /// Answers after which a request may or may not have been carried out: a server error or a
    /// gateway that lost the upstream answer. (429, 503 and the 4xx say it was not.)
    public static func mayHaveActed(status: Int) -> Bool {
        status == 500 || status == 502 || status == 504
    }

    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || (500..<600).contains(status)
    }
}
