/// A Bluesky rich-text facet (`app.bsky.richtext.facet`): a feature over a UTF-8 byte range of the text.
/// See https://docs.bsky.app/docs/advanced-guides/post-richtext ("Links, mentions, and rich text").
public struct BlueskyFacet: Sendable, Equatable {
    public enum Feature: Sendable, Equatable {
        /// `app.bsky.richtext.facet#link`; schemeless URLs get `https://`.
        case link(uri: String)
        /// `app.bsky.richtext.facet#tag`, without the `#`.
        case tag(String)
        /// `app.bsky.richtext.facet#mention`: carries the handle (without `@`); the sender resolves it to
        /// a DID (`com.atproto.identity.resolveHandle`) and drops the facet if it does not resolve.
        case mention(handle: String)
    }

    /// Inclusive start, exclusive end, in UTF-8 bytes of the part's text.
    public var byteStart: Int
    public var byteEnd: Int
    public var feature: Feature

    public init(byteStart: Int, byteEnd: Int, feature: Feature) {
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.feature = feature
    }
}
