/// Media paths are relative to the post file and must stay inside the queue directory.
public enum MediaPath {
    /// Why `path` is not acceptable, or nil when it is (existence and symlinks are checked on disk).
    public static func problem(_ path: String) -> String? {
        if path.hasPrefix("/") { return "'\(path)' is absolute; give a path relative to the post file, inside the queue" }
        if path.split(separator: "/").contains("..") { return "'\(path)' leaves the queue directory; media must live inside it" }
        if path.isEmpty { return "is empty" }
        return nil
    }
}
