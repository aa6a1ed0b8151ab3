/// `approvers:` in crier.yml: who may approve posts.
public struct Approvers: Sendable, Equatable {
    /// The Unix group whose members may approve (membership of the person running `crier approve`,
    /// resolved from `SUDO_USER` or the real uid — never from anything a post says).
    public var group: String
    /// Whether the person who dropped a post may approve it too.
    public var selfApproval: Bool

    public init(group: String, selfApproval: Bool = false) {
        self.group = group
        self.selfApproval = selfApproval
    }
}
