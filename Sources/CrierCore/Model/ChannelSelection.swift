/// Which configured channels a post goes to: `all`, or a list of channel names.
public enum ChannelSelection: Sendable, Equatable {
    case all
    case named([String])

    /// The channel names this selection means, in config order for `all`, in the post's order else.
    public func resolve(configured: [String]) -> [String] {
        switch self {
        case .all: return configured
        case .named(let names): return names
        }
    }
}
