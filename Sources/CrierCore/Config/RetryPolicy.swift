import Foundation

/// When to try a failed delivery again: exponential backoff with jitter, capped, for at most
/// `maxAttempts` attempts in all. Pure: the caller supplies the random fraction.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    /// Delay before the second attempt; doubled for each further one.
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// The longest `Retry-After` crier will honour; a longer one is capped to this.
    public var maxRetryAfter: TimeInterval

    public init(maxAttempts: Int = 8, baseDelay: TimeInterval = 30, maxDelay: TimeInterval = 3600,
                maxRetryAfter: TimeInterval = 86_400) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The backoff after attempt number `attempt` (1-based) failed. "Equal jitter": half the capped
    /// exponential delay is fixed, the other half scaled by `randomFraction` in 0..<1, so retries of
    /// many deliveries spread out but never come sooner than half the nominal delay.
    public func backoff(afterAttempt attempt: Int, randomFraction: Double) -> TimeInterval {
        let exponent = Double(max(0, attempt - 1))
        let nominal = min(maxDelay, baseDelay * pow(2, min(exponent, 52)))
        return nominal / 2 + nominal / 2 * min(max(randomFraction, 0), 1)
    }
}
