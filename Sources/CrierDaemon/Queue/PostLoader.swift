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

    /// Parses a post's bytes as the queue file `name` (a post another node took in, read from the
    /// shared store, has no signature: it is not a file here).
    public func parse(_ data: Data, name: String, config: CrierConfig) -> IntakeEvent {
        parse(data, name: name, config: config, root: layout.root, signature: nil)
    }

    private func parse(_ data: Data, name: String, config: CrierConfig, root: String, signature: FileSignature?) -> IntakeEvent {
        do throws(PostFileError) {
            let (post, channels) = try PostFileReader.read(data, name: name, config: config, root: root)
            if let preparer, !post.media.isEmpty {
                let platforms = channels.compactMap { config.channel(named: $0)?.platform }
                for problem in preparer.prepare(post, platforms: platforms) {
                    logger.warning("an image of \(name) cannot be made to fit: \(problem.message)")
                }
            }
            var parsed = ParsedPostFile(name: name, post: post, channels: channels, contentHash: ContentHash.of(data),
                                        owner: signature?.owner, signature: signature)
            if keepsSource { parsed.source = data }
            return .post(parsed)
        } catch {
            return .invalid(name: name, error: error)
        }
    }
}
