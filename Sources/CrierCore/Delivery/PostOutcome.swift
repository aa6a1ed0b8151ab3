/// Where a post ends up once all its deliveries are final, which is also the queue directory its file
/// moves to.
public enum PostOutcome: String, Sendable, Equatable, Codable {
    case sent, failed, cancelled

    /// Nil while any delivery is pending or unknown. Any failed or expired channel makes the post failed (loud);
    /// else any cancelled one makes it cancelled; else it was sent everywhere.
    public static func of<S: Sequence>(_ statuses: S) -> PostOutcome? where S.Element == DeliveryStatus {
        var sawCancelled = false
        var sawFailure = false
        var sawAny = false
        for status in statuses {
            sawAny = true
            switch status {
            case .pending, .unknown: return nil
            case .failed, .expired: sawFailure = true
            case .cancelled: sawCancelled = true
            case .sent: break
            }
        }
        guard sawAny else { return .cancelled }
        return sawFailure ? .failed : (sawCancelled ? .cancelled : .sent)
    }

    /// The queue subdirectory for this outcome.
    public var directoryName: String { rawValue }
}
