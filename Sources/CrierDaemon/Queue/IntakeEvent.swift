import CrierCore
import Foundation

/// What the intake tells the engine about the queue directory.
public enum IntakeEvent: Sendable {
    /// A complete, valid post file (new or changed).
    case post(ParsedPostFile)
    /// A complete file that cannot be accepted.
    case invalid(name: String, error: PostFileError)
    /// The file is gone from the queue (deleted, moved away, or renamed by an editor and not back).
    case gone(name: String)
    /// A full scan finished; these post files are in the queue (including ones still being written).
    /// (The periodic safety-net rescans that find nothing new say nothing.)
    case scanned(present: Set<String>)
    /// How many files the intake is waiting on (still being written, or not yet settled). Sent with
    /// every batch, so `run --once` does not stop while a file is on its way in.
    case settling(Int)
}

/// A post file that parsed and validated against the config.
public struct ParsedPostFile: Sendable {
    public var name: String
    public var post: Post
    /// The channels it resolves to, in order.
    public var channels: [String]
    public var contentHash: String
    /// The uid that owns the file (who dropped it), when it was read from disk.
    public var owner: UInt32?
    /// What `lstat` said of the file that was read (nil for a post not read from disk): the journal
    /// keeps it, so a restart need not read an unchanged file again.
    public var signature: FileSignature?
    /// The file's bytes, kept only when the store is shared by several daemons (`PostLoader.keepsSource`).
    public var source: Data?
    /// With `source`: the post's media files, for the store to keep (empty when it has none, or when
    /// they weigh more than the store keeps: `SharedMediaFile.maximumBytesPerPost`).
    public var sourceMedia: [SharedMediaFile] = []

    public init(name: String, post: Post, channels: [String], contentHash: String, owner: UInt32? = nil, signature: FileSignature? = nil) {
        self.name = name
        self.post = post
        self.channels = channels
        self.contentHash = contentHash
        self.owner = owner
        self.signature = signature
    }
}
