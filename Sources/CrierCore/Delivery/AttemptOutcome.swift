import Foundation

/// What one attempt (or the decision not to attempt) means for a delivery.
public enum AttemptOutcome: Sendable, Equatable {
    case sent(RemoteReference?, httpStatus: Int)
    /// A step of a multi-step delivery is done; the next step is due at once.
    case advanced(httpStatus: Int)
    case retry(at: Date, reason: String, httpStatus: Int?)
    case failed(reason: String, httpStatus: Int?)
    /// `attempted` is false when the post was already too late before trying.
    case expired(reason: String, attempted: Bool)
    /// A step that is not safe to repeat may have reached the platform and no answer came back, and
    /// the platform offers no way to look it up: held for the operator, never sent blindly again.
    case unknown(reason: String)
}
