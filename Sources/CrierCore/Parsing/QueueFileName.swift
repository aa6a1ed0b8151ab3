/// Which names in the queue directory are posts to pick up. Writers create files under an ignored
/// name (leading `.`, trailing `.tmp` or `~`) and rename them into place, so those are never read.
public enum QueueFileName {
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix("~")
    }

    /// A visible file with a post extension.
    public static func isPostCandidate(_ name: String) -> Bool {
        !isIgnored(name) && PostFileFormat(fileName: name) != nil
    }
}
