/// The shape of a Slack incoming webhook URL, `https://hooks.slack.com/services/T…/B…/…` (or a
/// loopback test server with the same path).
public enum SlackWebhookURL {
    /// What is wrong with `url`, or nil. Never quotes the URL: its path is the credential.
    public static func problem(_ url: String) -> String? {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            return "a Slack webhook URL starts with https:// (the app's Incoming Webhooks page lists it)"
        }
        let path = url.split(separator: "/", omittingEmptySubsequences: true)
        guard let index = path.lastIndex(of: "services"), path.count == index + 4, !url.contains("?") else {
            return "this is not a Slack incoming webhook URL; it looks like https://hooks.slack.com/services/T…/B…/…"
        }
        return nil
    }
}
