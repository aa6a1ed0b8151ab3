/// What an adapter read from the answer to one probe request.
public enum ProbeAnswer: Sendable, Equatable {
    /// Go on: these values are added to what the next probe step is given.
    case advanced([String: String])
    /// A session step's answer: stored for the channel (as the daemon would), then the next step.
    case renewed(ChannelSession)
    case ok(String)
    case problem(String)
}
