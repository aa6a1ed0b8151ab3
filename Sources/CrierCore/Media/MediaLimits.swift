/// The media files a platform takes: which types, and how large. Checked against each post's files
/// when it is dropped (`MediaLimitCheck`), so a file the platform would refuse fails that channel in
/// the preview and at intake, not at send time. Counts and alt text are `PlatformRules`' business.
public struct MediaLimits: Sendable, Equatable {
    /// MIME types of images the platform takes; nil: any image.
    public var imageTypes: [String]?
    /// MIME types of videos the platform takes; nil: any video; empty: none.
    public var videoTypes: [String]?
    /// Largest image in bytes; nil: no documented limit.
    public var maxImageBytes: Int?
    /// Largest video in bytes; nil: no documented limit.
    public var maxVideoBytes: Int?
    /// Limits for single types that replace the image or video limit (X: animated GIFs 15 MB).
    public var maxBytesByType: [String: Int]
    /// Most pixels (width × height) in an image, where the platform says; checked when the header
    /// gives the size.
    public var maxImagePixels: Int?
    /// Files that are neither images nor videos (a PDF) can be attached (Discord, Slack, Matrix).
    public var otherFiles: Bool
    /// Largest file of any other type in bytes; nil: no documented limit.
    public var maxOtherBytes: Int?
    /// The ratios and sizes of images the platform takes and displays well (`ImagePlanner`); set
    /// with `shaped(_:)` beside the numbers' sources in each descriptor.
    public var imageShape = ImageShape()

    public init(imageTypes: [String]?, videoTypes: [String]?, maxImageBytes: Int?, maxVideoBytes: Int?,
                maxBytesByType: [String: Int] = [:], maxImagePixels: Int? = nil, otherFiles: Bool = false,
                maxOtherBytes: Int? = nil) {
        self.imageTypes = imageTypes
        self.videoTypes = videoTypes
        self.maxImageBytes = maxImageBytes
        self.maxVideoBytes = maxVideoBytes
        self.maxBytesByType = maxBytesByType
        self.maxImagePixels = maxImagePixels
        self.otherFiles = otherFiles
        self.maxOtherBytes = maxOtherBytes
    }

    /// The largest file of `mimeType` the platform takes, if it says.
    public func maxBytes(for mimeType: String) -> Int? {
        if let specific = maxBytesByType[mimeType] { return specific }
        if mimeType.hasPrefix("image/") { return maxImageBytes }
        if mimeType.hasPrefix("video/") { return maxVideoBytes }
        return maxOtherBytes
    }

    /// These limits with `shape` for images.
    public func shaped(_ shape: ImageShape) -> MediaLimits {
        var limits = self
        limits.imageShape = shape
        return limits
    }

    /// Whether the platform takes files of `mimeType` at all.
    public func accepts(_ mimeType: String) -> Bool {
        if mimeType.hasPrefix("image/") { return imageTypes?.contains(mimeType) ?? true }
        if mimeType.hasPrefix("video/") { return videoTypes?.contains(mimeType) ?? true }
        return otherFiles
    }

    /// 1 MB as platforms that say "MB" in decimal mean it, and 1 MiB.
    public static let megabyte = 1_000_000
    public static let mebibyte = 1_048_576
}
