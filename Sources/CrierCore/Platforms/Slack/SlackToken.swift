/// The shape of a Slack bot token: `xoxb-` and more. User tokens (`xoxp-`) would post as a person,
/// and app-level tokens (`xapp-`) cannot post at all.
public enum SlackToken {
    public static func problem(_ token: String) -> String? {
        if token.hasPrefix("xoxb-"), token.count > 10, !token.contains(where: { $0.isWhitespace }) { return nil }
        if token.hasPrefix("xoxp-") { return "this is a user token (xoxp-…); crier posts as the app's bot: use the Bot User OAuth Token (xoxb-…)" }
        if token.hasPrefix("xapp-") { return "this is an app-level token (xapp-…), which cannot post; use the Bot User OAuth Token (xoxb-…)" }
        return "this is not a Slack bot token; the app's OAuth & Permissions page shows the Bot User OAuth Token (xoxb-…)"
    }
}
