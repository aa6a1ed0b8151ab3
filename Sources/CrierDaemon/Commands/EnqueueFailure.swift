/// Why `crier enqueue` refused a post; the description is the message for the user.
public enum EnqueueFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The post file could not be read, and why (errno in words).
    case unreadable(file: String, reason: String)
    /// The file name has no post extension.
    case notAPostFile(file: String)
    /// `--at` is not a time (the command checks its form first, as a usage error).
    case badTime(String)
    /// `--at`/`--channels` could not be written into the post's text.
    case cannotOverride(file: String, reason: String)
    /// The post does not parse or validate; every problem is listed.
    case invalidPost(problems: String)
    /// The post parses, but a channel cannot send it as it is (what `crier preview` reports as an
    /// error): each `channel: problem`.
    case unsendable(file: String, problems: [String])
    /// A file of that name is already in the queue.
    case alreadyQueued(name: String)
    case cannotWrite(SystemError)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read \(file): \(reason)"
        case .notAPostFile(let file):
            return "\(file): not a post file; use the extension .md, .markdown or .json"
        case .badTime(let text):
            return "--at '\(text)' is not a time; write ISO 8601 like 2026-11-22T09:00:00+01:00, "
                + "or 'YYYY-MM-DD HH:MM' like '2026-11-22 09:00' in the config's time zone"
        case .cannotOverride(let file, let reason):
            return "\(file): \(reason)"
        case .invalidPost(let problems):
            return "the post has problems:\n\(problems)"
        case .unsendable(let file, let problems):
            return "the post cannot be sent as it is (`crier preview` reports these as errors; the daemon would fail these channels):\n"
                + problems.map { "\(file): \($0)" }.joined(separator: "\n")
        case .alreadyQueued(let name):
            return "the queue already has \(name); rename the file or give the post another `id:`"
        case .cannotWrite(let error):
            return "cannot write into the queue: \(error)"
        }
    }
}
