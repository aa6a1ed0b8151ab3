import Foundation

/// One media file of a post that a store shared by several daemons is to keep beside the post's
/// source (`JournalChange.postSource`), so a node other than the one it was dropped on can deliver
/// the post. It names the file, not its bytes: the journal reads it when it writes the post, one
/// file at a time, so a burst of posts with large videos never holds them all in memory.
public struct SharedMediaFile: Sendable, Equatable {
    /// The post's `media[n].file`: relative to the queue directory it was dropped in.
    public var file: String
    /// Where this node reads it (the file inside the queue, checked as at intake).
    public var path: String

    public init(file: String, path: String) {
        self.file = file
        self.path = path
    }

    /// The most a post's media may weigh together for the store to keep them (100 MiB: every
    /// platform's image limits, and the video limits of most). A post with more is delivered only by
    /// the node it was dropped on.
    public static let maximumBytesPerPost = 100 * 1024 * 1024
}
