/// The two names of a Bluesky post: its AT URI (`at://did/app.bsky.feed.post/rkey`, what replies
/// point at) and its web link (`https://bsky.app/profile/did/post/rkey`, what the receipt shows
/// and what an operator passes to `crier resolve --sent`).
public struct BlueskyPostLink: Sendable, Equatable {
    public static let collection = "app.bsky.feed.post"

    public var did: String
    public var rkey: String

    public init(did: String, rkey: String) {
        self.did = did
        self.rkey = rkey
    }

    public var atURI: String { "at://\(did)/\(Self.collection)/\(rkey)" }
    public var webURL: String { "https://bsky.app/profile/\(did)/post/\(rkey)" }

    /// From an AT URI of a post, or a bsky.app post link (with a DID; a handle cannot be turned into
    /// a repo without a lookup).
    public init?(parsing text: String) {
        if text.hasPrefix("at://") {
            let parts = text.dropFirst(5).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1] == Self.collection, parts[0].hasPrefix("did:"), !parts[2].isEmpty else { return nil }
            self.init(did: String(parts[0]), rkey: String(parts[2]))
            return
        }
        let path = text.split(separator: "?", maxSplits: 1).first.map(String.init) ?? text
        guard let range = path.range(of: "/profile/") else { return nil }
        let parts = path[range.upperBound...].split(separator: "/")
        guard parts.count >= 3, parts[1] == "post", parts[0].hasPrefix("did:") else { return nil }
        self.init(did: String(parts[0]), rkey: String(parts[2]))
    }
}
