/// What crier makes of one image for one platform (`ImagePlanner`): which part of the image as it
/// is displayed (after its EXIF orientation) is kept, at what size, and in which encodings, tried in
/// order until one is within the byte limit. The daemon's deriver carries it out with libvips; the
/// result never has EXIF, XMP or IPTC metadata.
public struct ImagePlan: Sendable, Equatable {
    /// An encoding crier writes.
    public enum Format: String, Sendable, Equatable {
        case jpeg, png, webp

        public var mimeType: String { "image/\(rawValue)" }
        public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
    }

    /// A rectangle in display pixels, from the top left.
    public struct Rect: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int

        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    /// The post's file (`media/launch.jpg`).
    public var file: String
    public var platform: Platform
    /// The image's size as displayed (after its EXIF orientation).
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// The part kept; nil: all of it.
    public var crop: Rect?
    /// The ratio `crop` cuts to, for the preview.
    public var cropRatio: ImageRatio?
    /// The size written (at most the size of the kept part: never enlarged).
    public var width: Int
    public var height: Int
    /// Encodings tried in order (a screenshot stays PNG where the platform takes it and it fits).
    public var formats: [Format]
    /// Quality steps for JPEG and WebP, tried from the first.
    public var qualities: [Int]
    /// The platform's byte limit for an image, if it has one.
    public var maxBytes: Int?

    /// Everything the result depends on but the source bytes, for the derived-image cache's key.
    public var key: String {
        let cropPart = crop.map { "c\($0.x),\($0.y),\($0.width)x\($0.height)" } ?? "whole"
        return "v1-\(platform.rawValue)-\(sourceWidth)x\(sourceHeight)-\(cropPart)-\(width)x\(height)-"
            + formats.map(\.rawValue).joined(separator: ",") + "-q" + qualities.map(String.init).joined(separator: ",")
            + "-\(maxBytes.map(String.init) ?? "any")"
    }
}
