/// Why `crier enqueue` refused a post; the description is the message for the user.
public enum EnqueueFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The post file could not be read.
    case unreadable(file: String)
    /// The file name has no post extension.
    case notAPostFile(file: String)
    /// `--at` is not a time. A usage error: the command line is wrong, not the post.
    case badTime(String)
    /// `--at`/`--channels` could not be written into the post's text.
    case cannotOverride(file: String, reason: String)
    /// The post does not parse or validate; every problem is listed.
    case invalidPost(problems: String)
    /// A file of that name is already in the queue.
    case alreadyQueued(name: String)
    case cannotWrite(SystemError)

    /// True when the command line itself is wrong (exit status 2 rather than 1).
    public var isUsageError: Bool {
        if case .badTime = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .unreadable(let file):
            return "cannot read \(file)"
        case .notAPostFile(let file):
            return "\(file): not a post file; use the extension .md, .markdown or .json"
        case .badTime(let text):
            return "--at '\(text)' is not a time; write ISO 8601 like 2026-11-22T09:00:00+01:00, or '2026-11-22 09:00'"
        case .cannotOverride(let file, let reason):
            return "\(file): \(reason)"
        case .invalidPost(let problems):
            return "the post has problems:\n\(problems)"
        case .alreadyQueued(let name):
            return "the queue already has \(name); rename the file or give the post another `id:`"
        case .cannotWrite(let error):
            return "cannot write into the queue: \(error)"
        }
    }
}
