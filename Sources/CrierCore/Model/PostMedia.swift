/// An attachment of a post: a file relative to the post file (inside the queue) and its alt text.
public struct PostMedia: Sendable, Equatable, Codable {
    public var file: String
    public var alt: String?
    /// `crop:` or `focus:` of the entry: whether, and where, crier may crop this image to a ratio a
    /// platform takes (`ImagePlanner`); nil: never cropped.
    public var crop: ImageCrop?

    public init(file: String, alt: String? = nil, crop: ImageCrop? = nil) {
        self.file = file
        self.alt = alt
        self.crop = crop
    }
}
