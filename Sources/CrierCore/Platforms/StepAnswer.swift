import Foundation

/// What an adapter read from the platform's answer to one step.
public enum StepAnswer: Sendable, Equatable {
    /// The step is done; `progress` (with the step marked done and what it yielded) is journaled,
    /// then the adapter is asked for the next step.
    case advanced(DeliveryProgress)
    /// The delivery is complete.
    case sent(RemoteReference?)
    /// The platform refused for good (its words, and what to do).
    case failed(String)
    /// Try the same step again later: `after` seconds if the platform said (media still
    /// processing, a platform-specific rate limit), else the channel's backoff.
    case retry(String, after: TimeInterval?)
    /// The generic HTTP rules decide (README "Delivery semantics"): 408, 425, 429 and 5xx are retried
    /// honouring `Retry-After`; other statuses fail with the receiver's message.
    case standard
}
