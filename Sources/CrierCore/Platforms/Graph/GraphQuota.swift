import Foundation

/// A publishing quota answer: `{"data":[{"quota_usage":4,"config":{"quota_total":250,"quota_duration":86400}}]}`
/// (Threads `threads_publishing_limit`, also `reply_quota_usage`/`reply_config`; Instagram
/// `content_publishing_limit`). Sources: https://developers.facebook.com/docs/threads/troubleshooting
/// ("Retrieve Publishing Quota Limit"), https://developers.facebook.com/docs/instagram-platform/content-publishing
/// ("Rate Limit").
public struct GraphQuota: Sendable, Equatable {
    public var usage: Int
    public var total: Int
    public var durationSeconds: Int
    public var noun: String

    public init(usage: Int, total: Int, durationSeconds: Int, noun: String) {
        self.usage = usage
        self.total = total
        self.durationSeconds = durationSeconds
        self.noun = noun
    }

    /// The quota in `body`, the reply quota when `reply`; nil when the answer does not say.
    public init?(_ body: Data, reply: Bool) {
        guard let entry = GraphJSON.data(body).first else { return nil }
        let usageKey = reply ? "reply_quota_usage" : "quota_usage"
        let config = entry[reply ? "reply_config" : "config"] as? [String: Any]
        guard let usage = GraphJSON.int(entry[usageKey]), let total = config.flatMap({ GraphJSON.int($0["quota_total"]) }) else {
            return nil
        }
        self.init(usage: usage, total: total, durationSeconds: config.flatMap { GraphJSON.int($0["quota_duration"]) } ?? 86_400,
                  noun: reply ? "replies" : "posts")
    }

    public var isExhausted: Bool { usage >= total }

    /// `24 h`.
    public var window: String {
        durationSeconds % 3600 == 0 ? "\(durationSeconds / 3600) h" : "\(durationSeconds) s"
    }
}
