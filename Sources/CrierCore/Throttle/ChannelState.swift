import Foundation

/// What a channel's own answers taught crier: a time before which it must not send (from
/// `Retry-After` or rate-limit headers), how many attempts in a row failed, and the circuit
/// breaker's state (see `CircuitBreaker`).
public struct ChannelState: Sendable, Equatable {
    public var notBefore: Date?
    public var consecutiveFailures: Int
    /// When the last counted failure came back. A failure of an attempt that started before then
    /// was under way at the same time (concurrent transfers of one bad second) and is not counted
    /// again.
    public var lastFailureAt: Date?
    /// The breaker is open until then (nil: closed). After it, one probe decides.
    public var openUntil: Date?
    /// The cool-down the breaker last opened with (0: it has not opened since it last closed);
    /// doubles with each failed probe.
    public var cooldown: TimeInterval

    public init(notBefore: Date? = nil, consecutiveFailures: Int = 0, lastFailureAt: Date? = nil, openUntil: Date? = nil,
                cooldown: TimeInterval = 0) {
        self.notBefore = notBefore
        self.consecutiveFailures = consecutiveFailures
        self.lastFailureAt = lastFailureAt
        self.openUntil = openUntil
        self.cooldown = cooldown
    }

    public var isOpen: Bool { openUntil != nil }
}
