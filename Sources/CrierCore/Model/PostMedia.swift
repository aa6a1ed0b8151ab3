/// An attachment of a post: a file relative to the post file (inside the queue) and its alt text.
public struct PostMedia: Sendable, Equatable, Codable {
    public var file: String
    public var alt: String?

    public init(file: String, alt: String? = nil) {
        self.file = file
        self.alt = alt
    }
}
