import CrierCore
import Foundation

/// Findings a fuzz target must step around so that a run keeps looking for new faults instead of
/// stopping at a known one. Empty: the findings so far are fixed (see bench/RESULTS.md "Fuzzing"
/// and Tests/CrierCoreTests/Fuzz/FuzzFindingsTests.swift). Add a filter here only with a test that
/// records the issue.
public enum KnownFindings {
    /// Whether `RetryAfter.seconds` may be handed `value` (any text, since the fix).
    public static func retryAfterIsSafe(_ value: String) -> Bool { true }

    /// The headers a target may hand to the engine's decisions (all of them, since the fix).
    public static func withoutTrappingRetryAfter(_ headers: [HTTPHeader]) -> [HTTPHeader] { headers }

    /// `RateLimitSignal.wait` is capped at `max_retry_after` (fixed).
    public static let rateLimitWaitIsUnbounded = false

    /// `ReceiverMessage.summary` never returns an empty message (fixed).
    public static let receiverMessageCanBeEmpty = false

    /// Whether an adapter's words (a failure, a retry, a warning, a check's verdict) may run past
    /// the `responses` target's bound: the platform's own text in them is not always clipped.
    public static let adapterWordsCanBeLong = false

    /// X and LinkedIn refresh a token as soon as it has less than 10 minutes (X) or 7 days
    /// (LinkedIn) left by the answer's `Date`, Bluesky when its access token's `exp` is less than
    /// a minute away; a refresh answer whose token is already that close (a short `expires_in`, a
    /// `Date` behind crier's clock, an `exp` in the past) makes the next step the refresh again, at
    /// once (not fixed; FuzzFindingsTests records it, bench/RESULTS.md "Fuzzing" run 4).
    public static let aRefreshedTokenCanBeDueAtOnce = true
}
