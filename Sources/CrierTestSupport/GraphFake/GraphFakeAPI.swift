/// Which of Meta's Graph APIs a `GraphFakeServer` speaks.
public enum GraphFakeAPI: String, Sendable {
    case threads
    case instagram
    case facebook

    var createEdge: String { self == .threads ? "threads" : "media" }
    var publishEdge: String { self == .threads ? "threads_publish" : "media_publish" }
    var quotaEdge: String { self == .threads ? "threads_publishing_limit" : "content_publishing_limit" }
    var textField: String { self == .threads ? "text" : "caption" }
    var statusField: String { self == .threads ? "status" : "status_code" }
    var textLimit: Int { self == .threads ? 500 : 2200 }
    var carouselRange: ClosedRange<Int> { self == .threads ? 2...20 : 2...10 }
    var refreshGrant: String { self == .threads ? "th_refresh_token" : "ig_refresh_token" }
    var exchangeGrant: String { self == .threads ? "th_exchange_token" : "ig_exchange_token" }
}
