import CrierCore
import Foundation

/// `crier enqueue`: writes `--at`/`--channels` into a post's text, checks it the way the daemon will
/// read it (`PostFileReader`: fields, channels, media in the queue) and render it (what `crier preview`
/// calls an error on any channel is refused here too), and drops it into the queue atomically (hidden temporary name, fsync, rename, fsync of
/// the directory), so the daemon never sees half a file. The mode is `0660` whatever the umask, so
/// the daemon's user can read it through the queue's group.
public struct PostEnqueuer: Sendable {
    /// Where the post comes from.
    public enum Source: Sendable {
        /// A `.md`, `.markdown` or `.json` file; the queue file gets its name.
        case file(String)
        /// Standard input, already read. The queue file is named after `id:`, or a generated
        /// `post-YYYYMMDD-HHMMSS-xxxx`; JSON is recognised by a leading `{`.
        case standardInput(Data)
    }

    /// The config without secrets: time zone, channels and their policies.
    public var config: CrierConfig
    public var layout: QueueLayout

    public init(config: CrierConfig, layout: QueueLayout) {
        self.config = config
        self.layout = layout
    }

    /// Enqueues the post and returns its id.
    /// - Parameters:
    ///   - at: `--at`: ISO 8601, or `YYYY-MM-DD HH:MM` in the config's time zone.
    ///   - channels: `--channels`: comma-separated channel names, or `all`.
    public func enqueue(_ source: Source, at: String? = nil, channels: String? = nil) throws(EnqueueFailure) -> String {
        let timeZone = config.timeZone
        let file: String?
        let input: Data
        switch source {
        case .file(let path):
            do {
                input = try FileOperations.readNamedFile(path, maxSize: PostParser.maximumFileSize)
            } catch {
                throw .unreadable(file: path, reason: Self.readProblem(error))
            }
            file = path
        case .standardInput(let data):
            (file, input) = (nil, data)
        }
        let isJSON: Bool
        if let file {
            guard let format = PostFileFormat(fileName: file) else { throw .notAPostFile(file: file) }
            isJSON = format == .json
        } else {
            isJSON = input.first(where: { !Character(UnicodeScalar($0)).isWhitespace }) == UInt8(ascii: "{")
        }
        if let at, TimeParser.parse(at, timeZone: timeZone) == nil { throw .badTime(at) }
        let content: Data
        do {
            content = try PostOverrides(at: at, channels: channels.map(Self.channelList)).apply(to: input, isJSON: isJSON)
        } catch {
            throw .cannotOverride(file: file ?? "-", reason: error.message)
        }
        let provisionalName = file.map { ($0 as NSString).lastPathComponent } ?? "stdin" + (isJSON ? ".json" : ".md")
        let post: Post
        let channels: [String]
        do {
            (post, channels) = try PostFileReader.read(content, name: provisionalName, config: config, root: layout.root)
        } catch {
            throw .invalidPost(problems: "\(error)")
        }
        let unsendable = PostFileReader.unsendable(post, channels: channels, config: config)
        if !unsendable.isEmpty { throw .unsendable(file: file ?? provisionalName, problems: unsendable) }
        let hasID = post.fieldLines["id"] != nil
        let name = file != nil ? provisionalName : (hasID ? post.id : PostNames.generated()) + (isJSON ? ".json" : ".md")
        let destination = layout.pending(name)
        if FileManager.default.fileExists(atPath: destination) { throw .alreadyQueued(name: name) }
        do {
            try FileOperations.makeDirectory(layout.root)
            try FileOperations.writeAtomically(content, to: destination, mode: 0o660)
        } catch {
            throw .cannotWrite(error)
        }
        return hasID ? post.id : PostID.fromFileName(name)
    }

    static func readProblem(_ error: FileReadError) -> String {
        switch error {
        case .missing: return "no such file"
        case .tooLarge(let size): return "it is \(size) bytes; posts may be at most 1 MiB (put large media beside it and reference them under media:)"
        case .notRegular: return "not a regular file"
        case .symlink, .system: return error.description
        }
    }

    /// `--channels` as a list: `all` (any case) stays `["all"]`; names are trimmed.
    static func channelList(_ text: String) -> [String] {
        text.lowercased() == "all" ? ["all"] : text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
