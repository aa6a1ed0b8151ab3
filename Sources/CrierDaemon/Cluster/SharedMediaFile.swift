import Foundation

/// One media file of a post, as a store shared by several daemons keeps it beside the post's source
/// (`JournalChange.postSource`), so a node other than the one it was dropped on can deliver the post.
public struct SharedMediaFile: Sendable, Equatable {
    /// The post's `media[n].file`: relative to the queue directory it was dropped in.
    public var file: String
    public var bytes: Data

    public init(file: String, bytes: Data) {
        self.file = file
        self.bytes = bytes
    }

    /// The most a post's media may weigh together for the store to keep them (100 MiB: every
    /// platform's image limits, and the video limits of most). A post with more is delivered only by
    /// the node it was dropped on.
    public static let maximumBytesPerPost = 100 * 1024 * 1024
}
