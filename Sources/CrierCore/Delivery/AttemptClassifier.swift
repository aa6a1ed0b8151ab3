import Foundation

/// Decides what a transfer result means, per SPEC.md "Delivery semantics": 2xx is sent; network
/// errors, timeouts, 408, 425, 429 and 5xx are retried with backoff (honouring `Retry-After`) until
/// the attempts run out or the post expires; any other status fails at once with the receiver's words.
public struct AttemptClassifier: Sendable {
    public var policy: RetryPolicy

    public init(policy: RetryPolicy) {
        self.policy = policy
    }

    /// - Parameters:
    ///   - attempt: the number of the attempt that produced `result` (1 for the first).
    ///   - expiresAt: the instant after which the post must not be sent, if any.
    ///   - randomFraction: in 0..<1, for backoff jitter.
    ///   - remote: how to read the remote id/url from a success (platform-specific).
    public func classify(_ result: TransportResult, attempt: Int, now: Date, expiresAt: Date?, randomFraction: Double,
                         remote: (TransportResponse) -> RemoteReference?) -> AttemptOutcome {
        let reason: String
        let httpStatus: Int?
        var retryAfter: TimeInterval?
        switch result {
        case .success(let response) where (200..<300).contains(response.status):
            return .sent(remote(response), httpStatus: response.status)
        case .success(let response):
            let message = ReceiverMessage.summary(of: response)
            httpStatus = response.status
            guard Self.isRetryable(status: response.status) else {
                let hint = (300..<400).contains(response.status)
                    ? "redirected\(response.headers.value(for: "Location").map { " to \($0)" } ?? ""); crier does not follow redirects, update the channel url"
                    : message
                return .failed(reason: "HTTP \(response.status): \(hint)", httpStatus: response.status)
            }
            reason = "HTTP \(response.status): \(message)"
            retryAfter = response.headers.value(for: "Retry-After").flatMap { RetryAfter.seconds($0, now: now) }
        case .failure(let error):
            guard error.isRetryable else { return .failed(reason: error.description, httpStatus: nil) }
            reason = error.description
            httpStatus = nil
        }
        if attempt >= policy.maxAttempts {
            return .failed(reason: "gave up after \(attempt) attempts; last: \(reason)", httpStatus: httpStatus)
        }
        let wait = retryAfter.map { min($0, policy.maxRetryAfter) }
            ?? policy.backoff(afterAttempt: attempt, randomFraction: randomFraction)
        let next = now.addingTimeInterval(wait)
        if let expiresAt, next > expiresAt {
            return .expired(reason: "expired: the next try would be at \(TimestampFormat.string(next)), after the post expires at \(TimestampFormat.string(expiresAt)); last: \(reason)", attempted: true)
        }
        return .retry(at: next, reason: reason, httpStatus: httpStatus)
    }

    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || (500..<600).contains(status)
    }
}
