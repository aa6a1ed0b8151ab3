import Foundation

/// How the daemon runs its sends (the `delivery:` config block).
public struct DeliverySettings: Sendable, Equatable {
    /// Transfers in flight at once across all channels.
    public var maxInFlight: Int = 50
    public var connectTimeout: TimeInterval = 10
    public var timeout: TimeInterval = 30
    /// How often the queue directory is rescanned as a safety net behind inotify.
    public var rescanInterval: TimeInterval = 30
    /// On SIGTERM, how long in-flight transfers may take before they are abandoned (and retried with
    /// the same delivery id on the next start).
    public var drainTimeout: TimeInterval = 10
    /// A file changed less than this long ago, with no close-after-write seen, is left for later:
    /// it may still be being written (plain `cp` into the queue).
    public var settleTime: TimeInterval = 2

    public init() {}
}
