/// crier.yml text for tests: webhook channels pointing at loopback sinks.
public enum ConfigText {
    public static func webhooks(queue: String, channels: [(name: String, url: String)], secret: String? = WebhookSink.secret,
                                extra: String = "", retry: String = "{ base: 200ms, max_delay: 1s, max_attempts: 8 }") -> String {
        var text = "queue: \(queue)\ntimezone: UTC\nretry: \(retry)\ndelivery: { rescan: 2s, settle_time: 500ms, drain_timeout: 5s }\n\(extra)channels:\n"
        for channel in channels {
            text += "  \(channel.name):\n    platform: webhook\n    url: \(channel.url)\n"
            if let secret { text += "    secret: \(secret)\n" }
        }
        return text
    }
}
