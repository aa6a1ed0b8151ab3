import Foundation

/// Where adapters get a post's media from. The daemon's `QueueMediaSource` reads the queue directory
/// (files must stay inside it, as at intake); tests and the preview may give bytes from memory.
///
/// Adapters stay pure: they are handed a `MediaSource` and ask it for bytes only when they build an
/// upload step, so a delivery without media never touches the disk.
public protocol MediaSource: Sendable {
    /// Describes the media of `post` for a channel (`publicBaseURL`: the channel's `media_base_url`).
    func items(of post: Post, publicBaseURL: String?) throws(MediaError) -> [MediaItem]

    /// The bytes of one item, as they are now (the file is read again; it may have been replaced).
    /// For an item derived for a platform (`MediaItem.derivedFile`), the derived bytes.
    func bytes(of item: MediaItem) throws(MediaError) -> Data

    /// Describes the media of `post` as `platform` gets them: each image crier makes to fit the
    /// platform (`ImagePlanner`) as its derived image, every other file as it is. The daemon's
    /// `DerivedMediaSource` hands out images it derived ahead of the send; sources that derive
    /// nothing give `items(of:publicBaseURL:)`.
    func items(of post: Post, platform: Platform, publicBaseURL: String?) throws(MediaError) -> [MediaItem]
}

extension MediaSource {
    public func items(of post: Post, platform: Platform, publicBaseURL: String?) throws(MediaError) -> [MediaItem] {
        try items(of: post, publicBaseURL: publicBaseURL)
    }
}

/// A media file that cannot be used: names the file and says what to do.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
