/// A post's `card:`: what a link card shows for its `link:` where the platform does not fetch the
/// page itself (Bluesky's `app.bsky.embed.external`). `image` is a file relative to the queue.
public struct LinkCard: Sendable, Equatable {
    public var title: String
    public var description: String
    public var image: String?

    public init(title: String, description: String, image: String? = nil) {
        self.title = title
        self.description = description
        self.image = image
    }
}
