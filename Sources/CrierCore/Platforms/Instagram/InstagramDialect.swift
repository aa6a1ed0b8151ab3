extension GraphContainerDialect {
    /// Instagram (Instagram Login, `graph.instagram.com`): `POST /{ig-user}/media` (`image_url` or
    /// `media_type=REELS` + `video_url`, or `CAROUSEL` + `children`; `caption`, `alt_text`),
    /// `GET /{container}?fields=status_code`, `POST /{ig-user}/media_publish`; carousels of 2–10;
    /// `content_publishing_limit`; tokens `ig_exchange_token`/`ig_refresh_token`. A post needs media.
    /// Sources: https://developers.facebook.com/docs/instagram-platform/content-publishing,
    /// …/instagram-platform/instagram-graph-api/reference/ig-user/media,
    /// …/instagram-platform/reference/refresh_access_token.
    public static let instagram = GraphContainerDialect(
        platform: .instagram, name: "Instagram", createEdge: "media", publishEdge: "media_publish", replyListEdge: nil,
        textField: "caption", statusField: "status_code", textMediaType: nil, imageMediaType: nil, singleVideoType: "REELS",
        threads: false, carouselRange: 2...10, quotaEdge: "content_publishing_limit", replyQuota: false,
        refreshGrant: "ig_refresh_token", exchangeGrant: "ig_exchange_token", defaultURL: "https://graph.instagram.com/v23.0",
        codeTokenURL: "https://api.instagram.com/oauth/access_token")
}
