import Foundation

/// What a response says about when to send again on its channel, whatever its status: `Retry-After`
/// (on 429 and 503), or an exhausted rate-limit budget (`x-ratelimit-remaining: 0` with
/// `x-ratelimit-reset` as epoch seconds or seconds from now, the convention of X, Mastodon, Discord
/// and others).
public enum RateLimitSignal {
    /// Seconds to wait from `now` (at most `maxWait`: a header must not be able to silence a channel
    /// for good), or nil when the response says nothing usable.
    public static func wait(in response: TransportResponse, now: Date, maxWait: TimeInterval = RetryPolicy().maxRetryAfter) -> TimeInterval? {
        var wait: TimeInterval?
        if response.status == 429 || response.status == 503, let value = response.headers.value(for: "Retry-After") {
            wait = RetryAfter.seconds(value, now: now)
        }
        // X spells them `x-rate-limit-*`.
        let remaining = response.headers.value(for: "x-ratelimit-remaining") ?? response.headers.value(for: "ratelimit-remaining")
            ?? response.headers.value(for: "x-rate-limit-remaining")
        let reset = response.headers.value(for: "x-ratelimit-reset") ?? response.headers.value(for: "ratelimit-reset")
            ?? response.headers.value(for: "x-rate-limit-reset")
        if let remaining, Double(remaining.trimmingCharacters(in: .whitespaces)) == 0,
           let reset, let time = isoTime(reset) {
            // Mastodon writes the reset as an ISO 8601 time (`2026-11-22T09:05:00.000000Z`).
            wait = max(wait ?? 0, max(0, time.timeIntervalSince(now)))
        } else if let remaining, Double(remaining.trimmingCharacters(in: .whitespaces)) == 0,
           let reset, let value = Double(reset.trimmingCharacters(in: .whitespaces)), value.isFinite {
            // Large values are Unix times (in milliseconds when larger still); small ones are
            // seconds from now.
            let epoch = value > 100_000_000_000 ? value / 1000 : value
            let seconds = epoch > 1_000_000_000 ? epoch - now.timeIntervalSince1970 : value
            wait = max(wait ?? 0, max(0, seconds))
        }
        return wait.map { min($0, maxWait) }
    }

    /// An ISO 8601 UTC time with optional fractional seconds, or nil. Only short ASCII reaches
    /// Foundation's parser (a fuzz finding: other input can trap it).
    static func isoTime(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard (20...40).contains(trimmed.utf8.count), trimmed.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), trimmed.contains("T") else {
            return nil
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: trimmed) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: trimmed)
    }
}
