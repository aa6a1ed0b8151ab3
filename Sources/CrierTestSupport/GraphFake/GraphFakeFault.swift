/// What a `GraphFakeServer` does wrong with one request, on a test's say.
public enum GraphFakeFault: Sendable, Equatable {
    /// Close the connection without acting on the request.
    case dropBeforeActing
    /// Act on it, then close the connection without answering: the answer is lost.
    case dropAfterActing
    /// Answer this status without acting.
    case status(Int)
    /// Act on it at once, answer only after this many seconds (time for a test to kill crier mid-request).
    case delayAfterActing(Double)
}
