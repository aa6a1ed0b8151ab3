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
    /// The EXIF orientation of a JPEG (1–8; 1: upright). 5–8 turn the image a quarter, so it is
    /// displayed `height` wide (`displayWidth`).
    public var orientation = 1
    /// For an image crier made to fit a platform (`ImagePlanner`, the daemon's derived-image cache):
    /// the derived file's name in the cache. `file` stays the post's file; the type, size and pixels
    /// are the derived image's, and `MediaSource.bytes(of:)` hands out the derived bytes. Nil: the file itself.
    public var derivedFile: String?

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

    /// `media` as its bytes describe it (`MediaSniffer`), with the alt text trimmed (nil when empty).
    public init(_ media: PostMedia, byteCount: Int, sniffed: MediaSniffer.Result, publicURL: String? = nil) {
        let alt = media.alt?.crierTrimmingWhitespace()
        self.init(file: media.file, alt: alt?.isEmpty == false ? alt : nil, byteCount: byteCount,
                  mimeType: sniffed.mimeType, width: sniffed.width, height: sniffed.height, publicURL: publicURL)
        orientation = sniffed.orientation ?? 1
    }

    /// The width as displayed, after the EXIF orientation.
    public var displayWidth: Int? { orientation >= 5 ? height : width }
    /// The height as displayed, after the EXIF orientation.
    public var displayHeight: Int? { orientation >= 5 ? width : height }

    /// `base` + `/` + `file` with each path segment percent-encoded (everything but RFC 3986's
    /// unreserved characters), so `media/Launch day.png` under `https://cdn.example.com/q/` becomes
    /// `https://cdn.example.com/q/media/Launch%20day.png`.
    public static func publicURL(base: String, file: String) -> String {
        var trimmed = Substring(base)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let encoded = PercentEncoding.encode(file, keeping: "/")
        return String(trimmed) + "/" + encoded
    }

    public var isImage: Bool { mimeType.hasPrefix("image/") }
    public var isVideo: Bool { mimeType.hasPrefix("video/") }
}
