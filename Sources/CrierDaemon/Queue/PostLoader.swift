import CrierCore
import Foundation
import Logging

/// Reads one post file of the queue into what the engine takes (`IntakeEvent`): the queue intake
/// reads every new or changed file through this, and the engine reads a post it unloaded from
/// memory (one due later than `EngineOptions.loadAhead`) through it again shortly before it is due.
/// Touches nothing shared: it runs on any thread.
public struct PostLoader: Sendable {
    private let layout: QueueLayout
    private let preparer: DerivedMediaSource?
    private let logger: Logger
    /// Keep each post's bytes (`ParsedPostFile.source`): a store shared by several daemons keeps
    /// them, so that any node can deliver the post.
    public var keepsSource = false

    /// - Parameter preparer: derives each post's images for its channels' platforms as it is read.
    public init(layout: QueueLayout, preparer: DerivedMediaSource?, logger: Logger) {
        self.layout = layout
        self.preparer = preparer
        self.logger = logger
    }

    /// Reads the queue file `name` now: a post, an invalid file, or nil if it is not there.
    public func load(_ name: String, config: CrierConfig) -> IntakeEvent? {
        readKeepingSignature(name: name, path: layout.pending(name), fallback: nil, config: config, root: layout.root).1
    }

    /// Reads `path` as the queue file `name`, its media resolved under `root`, with the signature
    /// the intake remembers the file by (nil: it vanished). `fallback`: the signature to remember it
    /// by when it cannot be read (what `lstat` said before).
    func readKeepingSignature(name: String, path: String, fallback: FileSignature?, config: CrierConfig,
                              root: String) -> (FileSignature?, IntakeEvent?) {
        let data: Data
        let readSignature: FileSignature
        do {
            (data, readSignature) = try FileOperations.readRegularFile(path, maxSize: PostParser.maximumFileSize)
        } catch {
            if error == .missing { return (nil, nil) }
            return (fallback, .invalid(name: name, error: PostFileError(file: name, message: error.description)))
        }
        return (readSignature, parse(data, name: name, config: config, root: root, signature: readSignature))
    }

    /// Where this node puts the media of posts other nodes took in (`queue/.crier/cluster-media`).
    public var remoteMedia: RemoteMediaDirectory { RemoteMediaDirectory(directory: layout.state + "/cluster-media") }

    /// Where adapters read the media of a post whose files are under `root`: as the engine's own
    /// source does, with images derived for each platform into the same cache.
    public func mediaSource(root: String) -> any MediaSource {
        guard let preparer else { return QueueMediaSource(root: root) }
        return DerivedMediaSource(root: root, cache: preparer.cache)
    }

    /// `post`'s media files for the shared store, each file once (the journal reads them when it
    /// writes the post); none if together they weigh more than the store keeps (then only this node
    /// can deliver the post).
    private func sharedMedia(of post: Post, name: String, root: String) -> [SharedMediaFile] {
        var files: [SharedMediaFile] = []
        var total: Int64 = 0
        for media in post.media where !files.contains(where: { $0.file == media.file }) {
            // Checked by the parse a moment ago; a file gone since is left out (the others then leave
            // the post to this node, which fails it or sends it as usual).
            guard let path = try? QueueMediaPath.resolve(media.file, root: root),
                  let signature = (try? FileOperations.signature(path)) ?? nil else { continue }
            total += signature.size
            if total > Int64(SharedMediaFile.maximumBytesPerPost) {
                logger.notice("the media of \(name) weigh more than the shared store keeps (\(SharedMediaFile.maximumBytesPerPost / 1_048_576) MiB): only this node can deliver it",
                              metadata: ["post": "\(post.id)"])
                return []
            }
            files.append(SharedMediaFile(file: media.file, path: path))
        }
        return files
    }

    /// Parses a post's bytes as the queue file `name`, its media under `root`: read by the intake
    /// itself (a new file of a scan, checked to have settled first), or read from the shared store
    /// (a post another node took in: no signature, it is not a file here; its media are the store's
    /// copies, placed by `RemoteMediaDirectory`).
    func parse(_ data: Data, name: String, config: CrierConfig, root: String, signature: FileSignature?) -> IntakeEvent {
        do throws(PostFileError) {
            let (post, channels) = try PostFileReader.read(data, name: name, config: config, root: root)
            if let preparer, !post.media.isEmpty {
                let platforms = channels.compactMap { config.channel(named: $0)?.platform }
                for problem in DerivedMediaSource(root: root, cache: preparer.cache).prepare(post, platforms: platforms) {
                    logger.warning("an image of \(name) cannot be made to fit: \(problem.message)")
                }
            }
            var parsed = ParsedPostFile(name: name, post: post, channels: channels, contentHash: ContentHash.of(data),
                                        owner: signature?.owner, signature: signature)
            if keepsSource {
                parsed.source = data
                parsed.sourceMedia = sharedMedia(of: post, name: name, root: root)
            }
            return .post(parsed)
        } catch {
            return .invalid(name: name, error: error)
        }
    }
}
