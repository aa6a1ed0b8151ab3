/// What a platform fake (`XFakeServer`, `LinkedInFakeServer`) does with one request instead of
/// answering it normally.
public enum FakeFault: Sendable, Equatable {
    /// Close the connection without acting on the request.
    case dropBeforeActing
    /// Act on it, then close the connection without answering: the answer is lost.
    case dropAfterActing
    /// Answer this status without acting.
    case status(Int)
    /// Never act, and answer 503 only after two minutes: the request hangs, so a test can kill the
    /// client while it is out (as if the client died before the request reached the platform).
    case stall
}
