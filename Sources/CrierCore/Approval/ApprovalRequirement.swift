/// `approval:` on a channel, in `defaults:` or in a post.
public enum ApprovalRequirement: String, Sendable, CaseIterable {
    /// Nothing goes out until someone in `approvers.group` approves it (`crier approve`).
    case required
    /// No approval needed (a channel's way to opt out of `defaults: { approval: required }`).
    case notRequired = "none"
}
