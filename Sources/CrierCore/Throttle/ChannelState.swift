import Foundation

/// What a channel's own answers taught crier: a time before which it must not send (from
/// `Retry-After` or rate-limit headers) and how many attempts in a row failed (circuit breaker).
public struct ChannelState: Sendable, Equatable {
    public var notBefore: Date?
    public var consecutiveFailures: Int

    public init(notBefore: Date? = nil, consecutiveFailures: Int = 0) {
        self.notBefore = notBefore
        self.consecutiveFailures = consecutiveFailures
    }
}
