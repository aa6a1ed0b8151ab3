import CrierCore
import Foundation

/// A post's media read from the queue directory (interim: replaced by the sniffing implementation).
public struct QueueMediaSource: MediaSource {
    let layout: QueueLayout

    public init(layout: QueueLayout) {
        self.layout = layout
    }

    public func items(of post: Post, publicBaseURL: String?) throws(MediaError) -> [MediaItem] {
        var items: [MediaItem] = []
        for media in post.media {
            let path = layout.root + "/" + media.file
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let size = attributes[.size] as? Int else {
                throw MediaError(file: media.file, message: "cannot be read; put it back in the queue or remove it from the post")
            }
            items.append(MediaItem(file: media.file, alt: media.alt, byteCount: size, mimeType: "application/octet-stream",
                                   publicURL: publicBaseURL.map { $0 + "/" + media.file }))
        }
        return items
    }

    public func bytes(of item: MediaItem) throws(MediaError) -> Data {
        guard let data = FileManager.default.contents(atPath: layout.root + "/" + item.file) else {
            throw MediaError(file: item.file, message: "cannot be read; put it back in the queue or remove it from the post")
        }
        return data
    }
}
