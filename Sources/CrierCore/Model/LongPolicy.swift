/// What to do when a rendered variant is longer than its platform allows.
public enum LongPolicy: String, Sendable, Equatable, CaseIterable, Codable {
    /// Split into a thread of replies (only where the platform has replies).
    case thread
    /// Cut at a word boundary with `…`, keeping the link.
    case truncate
    /// Reject the post for that channel, naming the measured length.
    case reject
}
