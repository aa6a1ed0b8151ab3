import Foundation

/// One media file of a post as a store shared by several daemons holds it, read by another node
/// (`SharedPostContent`), which places it under its state directory (`RemoteMediaDirectory`).
public struct StoredMediaFile: Sendable, Equatable {
    /// The post's `media[n].file`.
    public var file: String
    public var bytes: Data

    public init(file: String, bytes: Data) {
        self.file = file
        self.bytes = bytes
    }
}
