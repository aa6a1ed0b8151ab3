import Foundation

/// What a Graph API error answer means for a delivery step: the rules shared by Threads, Instagram
/// and Facebook (token refused, rate limits, the publishing quota, the "media not found" race,
/// permissions, transient errors), each in words that name the channel and the fix.
public struct GraphErrorAnswer: Sendable {
    public var platform: String
    public var channel: String
    public var post: String
    /// Seconds to wait before trying a step again after the race or a media fetch failure.
    public var pollInterval: TimeInterval
    /// How to get a new token: `run \`crier auth NAME --token TOKEN\``, or `replace the page token in crier.yml`.
    public var newTokenHint: String

    public init(platform: String, channel: String, post: String, pollInterval: TimeInterval, newTokenHint: String) {
        self.platform = platform
        self.channel = channel
        self.post = post
        self.pollInterval = pollInterval
        self.newTokenHint = newTokenHint
    }

    /// How long a channel waits after Graph's rate-limit codes: their windows are an hour long.
    public static let rateLimitWait: TimeInterval = 3600
    /// How long a channel waits when the 24-hour publishing quota is used up: the rolling window
    /// has room again at the latest a day later.
    public static let quotaWait: TimeInterval = 86_400

    /// The answer to a non-2xx response of step `step`.
    public func answer(_ response: TransportResponse, step: String) -> StepAnswer {
        guard let error = GraphError.parse(response.body) else {
            return .standard
        }
        if error.isTokenRefused {
            return .failed(tokenRefused(error))
        }
        if error.isMediaNotFoundRace || error.isTransientMediaFetch {
            return .retry("\(step): \(platform) is not ready yet: \(error)", after: pollInterval)
        }
        if error.isPublishingQuotaExhausted {
            return .retry(quotaExhausted(detail: "\(error)", answeredAt: GraphToken.answeredAt(response)), after: Self.quotaWait)
        }
        if error.isRateLimited {
            return .retry("\(step): \(platform) rate limit reached: \(error)", after: Self.rateLimitWait)
        }
        if error.isPermission {
            return .failed("channel '\(channel)': \(platform) refused \(step) for lack of a permission: \(error); "
                           + "grant the app the publishing permission (and, for a Page, a role that may post), then \(newTokenHint)")
        }
        if error.isTransient || (500..<600).contains(response.status) {
            return .retry("\(step): \(platform) had a temporary problem: \(error)", after: nil)
        }
        return .failed("channel '\(channel)': \(platform) refused \(step): \(error)")
    }

    public func tokenRefused(_ error: GraphError) -> String {
        "channel '\(channel)': \(platform) refused the access token: \(error.tokenRefusal) (\(error)); "
            + "\(newTokenHint), then `crier retry \(post) --channel \(channel)`"
    }

    public func quotaExhausted(detail: String, answeredAt: Date?) -> String {
        let until = answeredAt.map { "held until \(TimestampFormat.string($0.addingTimeInterval(Self.quotaWait)))" }
            ?? "held for 24 hours"
        return "channel '\(channel)': \(platform) publishing quota exhausted (\(detail)); \(until), when the rolling 24-hour window has room again"
    }
}
