import CrierCore
import Foundation

/// A post file as the daemon reads it: parsed, its channels checked against the config, its media
/// checked on disk (and read, where a channel's platform limits media). The queue intake and
/// `crier enqueue` both read posts through this, so `enqueue` refuses exactly what the intake would
/// reject. Every problem of the file is listed at once, sorted by line: a field problem does not
/// hide a missing media file, nor an unknown channel a media problem.
public enum PostFileReader {
    /// The post and the channels it resolves to, or every problem found.
    /// - Parameters:
    ///   - name: the file's name in the queue (`launch.md`).
    ///   - root: the directory its media paths are relative to (the queue, or the directory of a
    ///     file previewed from elsewhere).
    public static func read(_ data: Data, name: String, config: CrierConfig,
                            root: String) throws(PostFileError) -> (post: Post, channels: [String]) {
        var (post, problems) = try PostParser(timeZone: config.timeZone, knownChannels: config.channelNames)
            .parseKeepingProblems(data, fileName: name)
        var channels: [String] = []
        if problems.isEmpty {
            switch PostValidator.channels(for: post, config: config) {
            case .success(let names): channels = names
            case .failure(let error): problems += error.problems
            }
        }
        // The media files are checked even when something else is wrong (for the channels that exist),
        // unless an entry itself is wrong: the parser leaves such entries out, and the numbers of the
        // others would no longer match the file.
        if !problems.contains(where: { $0.field.hasPrefix("media") }) {
            let mediaChannels = channels.isEmpty
                ? post.channels.resolve(configured: config.channelNames).filter { config.channel(named: $0) != nil }
                : channels
            switch media(of: post, channels: mediaChannels, config: config, root: root) {
            case .success(let items): post.mediaItems = items
            case .failure(let error): problems += error.problems
            }
        }
        if !problems.isEmpty { throw PostFileError(file: name, problems: problems) }
        return (post, channels)
    }

    /// Media files must exist inside `root` (the queue), as regular files, not through symlinks
    /// (`QueueMediaPath`); every problem is listed, each at its entry's line. When a channel's
    /// platform limits media, each file's type, size and pixels are read (`QueueMediaSource`), and
    /// the renderer checks them per channel: a file one platform refuses fails that channel (in the
    /// preview too), not the whole post. Webhook-only posts never read their media.
    static func media(of post: Post, channels: [String], config: CrierConfig,
                      root: String) -> Result<[MediaItem]?, PostFileError> {
        guard !post.media.isEmpty else { return .success(nil) }
        let limited = channels.contains { name in
            config.channel(named: name).map { PlatformDescriptor.of($0.platform).media != nil } ?? false
        }
        let source = QueueMediaSource(root: root)
        var items: [MediaItem] = []
        var problems: [FieldProblem] = []
        for (index, media) in post.media.enumerated() {
            do throws(MediaError) {
                if limited {
                    items.append(try source.item(media, publicBaseURL: nil))
                } else {
                    _ = try QueueMediaPath.resolve(media.file, root: root)
                }
            } catch {
                let field = "media[\(index + 1)]"
                problems.append(FieldProblem(line: post.fieldLines[field] ?? post.fieldLines["media"], field: "\(field).file",
                                             message: error.message))
            }
        }
        if !problems.isEmpty { return .failure(PostFileError(file: post.file, problems: problems)) }
        return .success(limited ? items : nil)
    }

    /// What each channel's rendering refuses (too long under `long: reject`, media a platform does
    /// not take, missing alt text under `require_alt`): the errors `crier preview` shows per
    /// delivery, worked out by the renderer the engine uses (`PartsPlanner`), as `channel: error`.
    public static func unsendable(_ post: Post, channels: [String], config: CrierConfig) -> [String] {
        channels.flatMap { name -> [String] in
            guard let channel = config.channel(named: name) else { return [] }
            return PartsPlanner.variant(for: post, channel: channel, defaults: config.defaults).errors.map { "\(name): \($0)" }
        }
    }
}
