import Foundation

/// What one attempt's result teaches about its channel: a `Retry-After` or an exhausted rate limit
/// pushes the channel's next allowed time, and failures in a row (network errors, 5xx, 429, 401,
/// 403) trip the breaker, which pauses the channel.
public enum CircuitBreaker {
    /// The channel's state after `result`. A transfer abandoned at shutdown teaches nothing.
    public static func state(after result: TransportResult, from state: ChannelState, now: Date) -> ChannelState {
        var next = state
        switch result {
        case .success(let response):
            if let wait = RateLimitSignal.wait(in: response, now: now) {
                let until = now.addingTimeInterval(wait)
                if until > (next.notBefore ?? .distantPast) { next.notBefore = until }
            }
            next.consecutiveFailures = isFailure(status: response.status) ? next.consecutiveFailures + 1 : 0
        case .failure(let error):
            if error.kind != .cancelled { next.consecutiveFailures += 1 }
        }
        return next
    }

    /// Whether a channel in `state` must be paused (`threshold` 0: never).
    public static func trips(_ state: ChannelState, threshold: Int) -> Bool {
        threshold > 0 && state.consecutiveFailures >= threshold
    }

    /// The pause reason the breaker records, with what to do.
    public static func pauseReason(channel: String, state: ChannelState, last result: TransportResult) -> String {
        "circuit breaker: \(state.consecutiveFailures) failed attempts in a row (last: \(describe(result))); fix the channel, then `crier resume \(channel)`"
    }

    /// `HTTP 503` or the transport's error, for logs and pause reasons.
    public static func describe(_ result: TransportResult) -> String {
        switch result {
        case .success(let response): "HTTP \(response.status)"
        case .failure(let error): error.description
        }
    }

    static func isFailure(status: Int) -> Bool {
        status >= 500 || status == 429 || status == 401 || status == 403
    }
}
