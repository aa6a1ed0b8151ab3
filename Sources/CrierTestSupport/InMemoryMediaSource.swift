import CrierCore
import Foundation

/// A `MediaSource` over bytes held in memory, for tests of adapters: each file name maps to its
/// bytes and MIME type.
public struct InMemoryMediaSource: MediaSource {
    public var files: [String: (data: Data, mimeType: String)]

    public init(files: [String: (data: Data, mimeType: String)] = [:]) {
        self.files = files
    }

    public func items(of post: Post, publicBaseURL: String?) throws(MediaError) -> [MediaItem] {
        var items: [MediaItem] = []
        for media in post.media {
            guard let file = files[media.file] else { throw MediaError(file: media.file, message: "not in the test's media") }
            items.append(MediaItem(file: media.file, alt: media.alt, byteCount: file.data.count, mimeType: file.mimeType,
                                   publicURL: publicBaseURL.map { $0 + "/" + media.file }))
        }
        return items
    }

    public func bytes(of item: MediaItem) throws(MediaError) -> Data {
        guard let file = files[item.file] else { throw MediaError(file: item.file, message: "not in the test's media") }
        return file.data
    }
}
