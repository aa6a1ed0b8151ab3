import Foundation

/// The `app.bsky.feed.post` record of one part (lexicon `app/bsky/feed/post.json`): text,
/// `createdAt`, `langs`, facets with UTF-8 byte offsets (mentions resolved to DIDs; unresolved ones
/// left out, so they stay plain text), the reply refs, and an embed (images with alt text and
/// aspect ratio, or an external link card).
public struct BlueskyPostRecord: Sendable {
    public struct StrongRef: Sendable, Equatable {
        public var uri: String
        public var cid: String
        public init(uri: String, cid: String) {
            self.uri = uri
            self.cid = cid
        }
    }

    public struct Image: Sendable {
        /// The blob object exactly as `uploadBlob` returned it (JSON).
        public var blobJSON: String
        public var alt: String
        public var width: Int?
        public var height: Int?
        public init(blobJSON: String, alt: String, width: Int?, height: Int?) {
            self.blobJSON = blobJSON
            self.alt = alt
            self.width = width
            self.height = height
        }
    }

    public struct External: Sendable {
        public var uri: String
        public var title: String
        public var description: String
        public var thumbJSON: String?
        public init(uri: String, title: String, description: String, thumbJSON: String?) {
            self.uri = uri
            self.title = title
            self.description = description
            self.thumbJSON = thumbJSON
        }
    }

    public var text: String
    public var createdAt: Date
    public var langs: [String]
    public var facets: [BlueskyFacet]
    /// Handle → DID for the mentions that resolved.
    public var mentionDIDs: [String: String]
    public var root: StrongRef?
    public var parent: StrongRef?
    public var images: [Image]
    public var external: External?

    public init(text: String, createdAt: Date, langs: [String] = [], facets: [BlueskyFacet] = [], mentionDIDs: [String: String] = [:],
                root: StrongRef? = nil, parent: StrongRef? = nil, images: [Image] = [], external: External? = nil) {
        self.text = text
        self.createdAt = createdAt
        self.langs = langs
        self.facets = facets
        self.mentionDIDs = mentionDIDs
        self.root = root
        self.parent = parent
        self.images = images
        self.external = external
    }

    public var object: [String: Any] {
        var record: [String: Any] = ["$type": "app.bsky.feed.post", "text": text, "createdAt": TimestampFormat.string(createdAt)]
        if !langs.isEmpty { record["langs"] = langs }
        let facetObjects = facets.compactMap(facetObject)
        if !facetObjects.isEmpty { record["facets"] = facetObjects }
        if let root, let parent {
            record["reply"] = ["root": ["uri": root.uri, "cid": root.cid], "parent": ["uri": parent.uri, "cid": parent.cid]]
        }
        if !images.isEmpty {
            record["embed"] = ["$type": "app.bsky.embed.images", "images": images.map { image -> [String: Any] in
                var entry: [String: Any] = ["image": Self.parse(image.blobJSON), "alt": image.alt]
                if let width = image.width, let height = image.height, width > 0, height > 0 {
                    entry["aspectRatio"] = ["width": width, "height": height]
                }
                return entry
            }]
        } else if let external {
            var card: [String: Any] = ["uri": external.uri, "title": external.title, "description": external.description]
            if let thumb = external.thumbJSON { card["thumb"] = Self.parse(thumb) }
            record["embed"] = ["$type": "app.bsky.embed.external", "external": card]
        }
        return record
    }

    private func facetObject(_ facet: BlueskyFacet) -> [String: Any]? {
        let feature: [String: Any]
        switch facet.feature {
        case .link(let uri): feature = ["$type": "app.bsky.richtext.facet#link", "uri": uri]
        case .tag(let tag): feature = ["$type": "app.bsky.richtext.facet#tag", "tag": tag]
        case .mention(let handle):
            guard let did = mentionDIDs[handle.lowercased()] else { return nil }
            feature = ["$type": "app.bsky.richtext.facet#mention", "did": did]
        }
        return ["index": ["byteStart": facet.byteStart, "byteEnd": facet.byteEnd], "features": [feature]]
    }

    static func parse(_ json: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) ?? [:]
    }
}
