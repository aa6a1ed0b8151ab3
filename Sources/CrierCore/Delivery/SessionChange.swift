/// What a step's answer means for the channel's session (`StepClassifier.Decision.session`).
public enum SessionChange: Sendable, Equatable {
    /// Store this session for the channel (durably, before any step uses it).
    case store(ChannelSession)
    /// The session the step was sent with was refused as expired: mark it for renewal.
    case expired
}
