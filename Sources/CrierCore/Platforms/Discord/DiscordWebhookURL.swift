/// A Discord webhook URL, `https://discord.com/api/webhooks/<id>/<token>` (also `discordapp.com`,
/// an API version in the path, or a loopback test server): its shape, and the URL crier posts to.
public enum DiscordWebhookURL {
    /// What is wrong with `url`, or nil when it looks like a webhook URL. Never quotes the URL: its
    /// last component is the webhook's token.
    public static func problem(_ url: String) -> String? {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            return "a Discord webhook URL starts with https:// (copy it from the channel's Integrations → Webhooks)"
        }
        guard !url.contains("?"), !url.contains("#") else {
            return "give the webhook URL without `?…` (crier adds wait=true; use `thread_id:` for a thread)"
        }
        let path = url.split(separator: "/", omittingEmptySubsequences: true)
        guard let index = path.lastIndex(of: "webhooks"), path.count == index + 3,
              path[index + 1].allSatisfy({ $0.isASCII && $0.isNumber }), !path[index + 2].isEmpty else {
            return "this is not a Discord webhook URL; it looks like https://discord.com/api/webhooks/<id>/<token>"
        }
        return nil
    }

    /// The URL to execute the webhook with: `?wait=true` (so the message comes back with its id),
    /// and `thread_id` to post into a thread or forum post.
    public static func executeURL(_ url: String, threadID: String?) -> String {
        var result = url
        while result.hasSuffix("/") { result.removeLast() }
        result += "?wait=true"
        if let threadID { result += "&thread_id=\(threadID)" }
        return result
    }
}
