extension GraphContainerDialect {
    /// Threads: `POST /{user}/threads` (`media_type` TEXT, IMAGE, VIDEO, CAROUSEL; `text`, `reply_to_id`,
    /// `alt_text`), `GET /{container}?fields=status,error_message`, `POST /{user}/threads_publish`;
    /// carousels of 2–20 items; 250 posts and 1,000 replies per 24 hours in `threads_publishing_limit`;
    /// tokens `th_exchange_token`/`th_refresh_token`. Sources:
    /// https://developers.facebook.com/docs/threads/reference/publishing,
    /// https://developers.facebook.com/docs/threads/posts, …/threads/troubleshooting,
    /// …/threads/get-started/long-lived-tokens.
    public static let threads = GraphContainerDialect(
        platform: .threads, name: "Threads", createEdge: "threads", publishEdge: "threads_publish", replyListEdge: "replies",
        textField: "text", statusField: "status", textMediaType: "TEXT", imageMediaType: "IMAGE", singleVideoType: "VIDEO",
        threads: true, carouselRange: 2...20, quotaEdge: "threads_publishing_limit", replyQuota: true,
        refreshGrant: "th_refresh_token", exchangeGrant: "th_exchange_token", defaultURL: "https://graph.threads.net/v1.0",
        codeTokenURL: "https://graph.threads.net/oauth/access_token")
}
