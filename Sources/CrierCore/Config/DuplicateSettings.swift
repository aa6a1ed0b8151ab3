import Foundation

/// The near-duplicate guard of a channel (`duplicates:` in crier.yml). Each platform's default is in
/// its `PlatformDescriptor`: social platforms hold near-duplicates (the pattern accounts get
/// suspended for); generic webhooks are machine endpoints and allow them.
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
}
