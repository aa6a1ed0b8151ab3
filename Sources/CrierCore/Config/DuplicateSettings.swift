import Foundation

/// The near-duplicate guard of a channel (`duplicates:` in crier.yml).
public struct DuplicateSettings: Sendable, Equatable {
    public var policy: DuplicatePolicy
    /// How far back earlier sends are compared.
    public var window: TimeInterval
    /// Similarity (0...1) at or above which two texts count as near-duplicates.
    public var threshold: Double

    public init(policy: DuplicatePolicy, window: TimeInterval = 86_400, threshold: Double = 0.8) {
        self.policy = policy
        self.window = window
        self.threshold = threshold
    }

    /// Social platforms hold near-duplicates by default (the pattern accounts get suspended for);
    /// generic webhooks are machine endpoints and allow them.
    public static func defaults(for platform: Platform) -> DuplicateSettings {
        DuplicateSettings(policy: platform == .webhook ? .allow : .hold)
    }
}
