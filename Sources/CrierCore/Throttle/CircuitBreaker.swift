import Foundation

/// What attempts' results teach about a channel, and the circuit breaker that stops sending to a
/// channel that keeps failing and tries it again by itself:
///
/// - A `Retry-After` or an exhausted rate limit pushes the channel's next allowed time.
/// - Failures (network errors, 5xx, 429, 401, 403) are counted as attempts in a row *in time*: a
///   failure of an attempt that started before the last counted failure came back ran at the same
///   time and is not counted again, so 50 concurrent transfers failing in one bad second count once.
///   Any other answer resets the count.
/// - After `threshold` failures in a row the breaker opens for `cooldown`; then one delivery goes as
///   a probe (half-open). A probe that is answered closes it; one that fails opens it again for
///   twice as long (up to `maxCooldown`).
public enum CircuitBreaker {
    public struct Settings: Sendable, Equatable {
        /// Failures in a row that open the breaker (0: never).
        public var threshold: Int
        public var cooldown: TimeInterval
        public var maxCooldown: TimeInterval

        public init(threshold: Int, cooldown: TimeInterval = 60, maxCooldown: TimeInterval = 3_600) {
            self.threshold = threshold
            self.cooldown = cooldown
            self.maxCooldown = maxCooldown
        }
    }

    /// A change of the breaker, to log and alert.
    public enum Transition: Sendable, Equatable {
        case opened(until: Date)
        /// A probe failed: open again, for longer.
        case reopened(until: Date)
        /// A probe was answered.
        case closed
    }

    /// The channel's state after an attempt that started at `startedAt` ended with `result`. A
    /// transfer abandoned at shutdown teaches nothing.
    public static func state(after result: TransportResult, startedAt: Date, from state: ChannelState, now: Date) -> ChannelState {
        var next = state
        switch result {
        case .success(let response):
            if let wait = RateLimitSignal.wait(in: response, now: now) {
                let until = now.addingTimeInterval(wait)
                if until > (next.notBefore ?? .distantPast) { next.notBefore = until }
            }
            if isFailure(status: response.status) {
                countFailure(startedAt: startedAt, in: &next, now: now)
            } else {
                next.consecutiveFailures = 0
            }
        case .failure(let error):
            if error.kind != .cancelled { countFailure(startedAt: startedAt, in: &next, now: now) }
        }
        return next
    }

    /// Opens a closed breaker whose failures reached the threshold; nil when nothing changes.
    public static func trip(_ state: ChannelState, settings: Settings, now: Date) -> (ChannelState, Transition)? {
        guard settings.threshold > 0, !state.isOpen, state.consecutiveFailures >= settings.threshold else { return nil }
        var next = state
        next.cooldown = settings.cooldown
        next.openUntil = now.addingTimeInterval(settings.cooldown)
        return (next, .opened(until: next.openUntil!))
    }

    /// The state after the half-open probe ended with `result`: closed if the channel answered,
    /// open again for twice as long if not.
    public static func afterProbe(_ result: TransportResult, startedAt: Date, state: ChannelState, settings: Settings,
                                  now: Date) -> (ChannelState, Transition?) {
        var next = Self.state(after: result, startedAt: startedAt, from: state, now: now)
        if case .failure(let error) = result, error.kind == .cancelled { return (next, nil) }
        if failed(result) {
            next.cooldown = min(max(state.cooldown, settings.cooldown) * 2, settings.maxCooldown)
            next.openUntil = now.addingTimeInterval(next.cooldown)
            return (next, .reopened(until: next.openUntil!))
        }
        next.openUntil = nil
        next.cooldown = 0
        next.consecutiveFailures = 0
        next.lastFailureAt = nil
        return (next, .closed)
    }

    /// The reason given when the breaker opens, with what happens next.
    public static func openReason(channel: String, state: ChannelState, last result: TransportResult) -> String {
        "circuit breaker: \(state.consecutiveFailures) failed attempts in a row (last: \(describe(result))); "
            + "one delivery is tried again at \(state.openUntil.map(TimestampFormat.string) ?? "-"), and the channel reopens if it is answered "
            + "(`crier resume \(channel)` reopens it at once)"
    }

    /// `HTTP 503` or the transport's error, for logs and reasons.
    public static func describe(_ result: TransportResult) -> String {
        switch result {
        case .success(let response): "HTTP \(response.status)"
        case .failure(let error): error.description
        }
    }

    static func failed(_ result: TransportResult) -> Bool {
        switch result {
        case .success(let response): isFailure(status: response.status)
        case .failure(let error): error.kind != .cancelled
        }
    }

    static func isFailure(status: Int) -> Bool {
        status >= 500 || status == 429 || status == 401 || status == 403
    }

    private static func countFailure(startedAt: Date, in state: inout ChannelState, now: Date) {
        if let last = state.lastFailureAt, startedAt < last { return }
        state.consecutiveFailures += 1
        state.lastFailureAt = now
    }
}
