import Foundation

/// What a store shared by several daemons keeps of a post for the other nodes: its file's bytes and
/// its media files, read together (one snapshot: an edit replaces both at once).
public struct SharedPostContent: Sendable, Equatable {
    public var source: Data
    public var media: [StoredMediaFile]

    public init(source: Data, media: [StoredMediaFile]) {
        self.source = source
        self.media = media
    }
}
