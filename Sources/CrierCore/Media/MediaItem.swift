/// One media file of a post as an adapter sees it: what the file is (read from its bytes, not its
/// name), how large, and, where the channel has `media_base_url`, the public URL a platform that
/// fetches media itself (Threads, Instagram, Facebook) is given.
public struct MediaItem: Sendable, Equatable {
    /// The post's `media[n].file`: relative to the queue (or to the post file, for previews of files
    /// outside the queue).
    public var file: String
    /// The alt text, trimmed; nil when the post gave none.
    public var alt: String?
    public var byteCount: Int
    /// `image/png`, `image/jpeg`, `image/gif`, `image/webp`, `video/mp4`, ...; `application/octet-stream`
    /// when the bytes match no known type.
    public var mimeType: String
    /// Pixel size, for images whose header says it.
    public var width: Int?
    public var height: Int?
    /// `media_base_url` + `/` + `file` (percent-encoded), when the channel has a base URL.
    public var publicURL: String?

    public init(file: String, alt: String?, byteCount: Int, mimeType: String, width: Int? = nil, height: Int? = nil,
                publicURL: String? = nil) {
        self.file = file
        self.alt = alt
        self.byteCount = byteCount
        self.mimeType = mimeType
        self.width = width
        self.height = height
        self.publicURL = publicURL
    }

    public var isImage: Bool { mimeType.hasPrefix("image/") }
    public var isVideo: Bool { mimeType.hasPrefix("video/") }
}
