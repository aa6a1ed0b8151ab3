/// One image as a channel gets it, for `crier preview`: the post's file and, where crier makes it
/// fit the platform, the derived image's type, pixel size and bytes (`images` in the JSON).
public struct PreviewImage: Sendable, Equatable, Encodable {
    /// The post's `media[n].file`.
    public var file: String
    /// Whether crier derived it (false: the file is sent as it is).
    public var derived: Bool
    /// `image/jpeg`, `image/png`, `image/webp`, ...
    public var type: String
    public var width: Int?
    public var height: Int?
    public var bytes: Int
    /// The ratio it was cropped to and where (`4:5 center`, `16:9 focus 0.3,0.4`); nil: not cropped.
    public var crop: String?

    public init(file: String, derived: Bool, type: String, width: Int?, height: Int?, bytes: Int, crop: String? = nil) {
        self.file = file
        self.derived = derived
        self.type = type
        self.width = width
        self.height = height
        self.bytes = bytes
        self.crop = crop
    }

    enum CodingKeys: String, CodingKey {
        case file, derived, type, width, height, bytes, crop
    }

    /// Every key written, absent values as explicit nulls (the docs/formats.md shape).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(derived, forKey: .derived)
        try container.encode(type, forKey: .type)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(crop, forKey: .crop)
    }

    /// `media/photo.jpg → image/jpeg 1440×1800, 412,311 bytes, cropped to 4:5 center` for the timeline.
    public var summary: String {
        let size = width.flatMap { w in height.map { "\(w)×\($0)" } } ?? "size unknown"
        let how = derived ? (crop.map { ", cropped to \($0)" } ?? "") : ", sent as it is"
        return "\(file) → \(type) \(size), \(MediaLimitCheck.grouped(bytes)) bytes\(how)"
    }
}
