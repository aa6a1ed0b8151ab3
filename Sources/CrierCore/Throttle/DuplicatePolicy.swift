/// What to do when a send is a near-duplicate of a recent one (`NearDuplicate.findMatch`).
public enum DuplicatePolicy: String, CaseIterable, Sendable {
    /// Do not send; keep the delivery pending and report it.
    case hold
    /// Send, with a warning in the preview, log and receipt.
    case warn
    /// Send without comment.
    case allow
}
