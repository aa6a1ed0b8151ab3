/// The next thing an online check of a channel does: a request (read-only, never a post), or its
/// verdict.
public enum ProbeStep: Sendable, Equatable {
    case request(StepRequest)
    /// All is well, in the operator's words: "ok as @crierbot in #announcements".
    case ok(String)
    /// What is wrong and how to fix it.
    case problem(String)
}
