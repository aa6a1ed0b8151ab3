/// One message to send: the whole post, or one part of a thread.
public struct RenderedPart: Sendable, Equatable {
    /// Exactly the text that would be sent (plain text, Slack mrkdwn, Telegram HTML, Discord Markdown,
    /// LinkedIn little text, the Matrix plain `body`, or the webhook's Markdown).
    public var text: String
    /// `text` counted the way the platform counts (`TextLength.count`).
    public var length: Int
    /// The limit `length` was checked against; nil when the channel has none.
    public var limit: Int?
    /// Matrix `formatted_body` (org.matrix.custom.html); nil elsewhere (Telegram's `text` is HTML itself).
    public var formattedHTML: String?
    /// Bluesky rich-text facets for `text`; empty on every other platform.
    public var facets: [BlueskyFacet]

    public init(text: String, length: Int, limit: Int?, formattedHTML: String? = nil, facets: [BlueskyFacet] = []) {
        self.text = text
        self.length = length
        self.limit = limit
        self.formattedHTML = formattedHTML
        self.facets = facets
    }
}
