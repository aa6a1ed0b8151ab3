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
    /// The answer to a session step (or any step that taught crier something about the channel):
    /// the channel's session is now this. The engine stores it durably, then asks the adapter for
    /// the next step again with the delivery's progress unchanged.
    case renewed(ChannelSession)
    /// The platform refused the session's access credential as expired or unknown. The engine marks
    /// the session for renewal (unless a newer one was stored meanwhile) and asks the adapter again,
    /// whose next step then renews it. Counted: after `DeliveryProgress.maxSessionRenewals` in a row
    /// the delivery fails with this message.
    case sessionExpired(String)
}
