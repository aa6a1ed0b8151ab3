import Foundation

/// What one attempt (or the decision not to attempt) means for a delivery.
public enum AttemptOutcome: Sendable, Equatable {
    case sent(RemoteReference?, httpStatus: Int)
    case retry(at: Date, reason: String, httpStatus: Int?)
    case failed(reason: String, httpStatus: Int?)
    /// `attempted` is false when the post was already too late before trying.
    case expired(reason: String, attempted: Bool)
}
