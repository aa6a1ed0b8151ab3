import Foundation

/// Builds Slack requests: the Web API (`chat.postMessage`, `chat.getPermalink`, `auth.test`) with
/// `Authorization: Bearer xoxb-…`, and an incoming webhook's `{"text": …}`.
public struct SlackRequestBuilder: Sendable {
    public static let defaultAPIRoot = "https://slack.com/api"

    public var apiRoot: String
    public var label: String

    public init(apiRoot: String, label: String) {
        var root = Substring(apiRoot.isEmpty ? Self.defaultAPIRoot : apiRoot)
        while root.hasSuffix("/") { root = root.dropLast() }
        self.apiRoot = String(root)
        self.label = label
    }

    /// `chat.postMessage` with the mrkdwn text, in the thread of `threadTS` for later parts.
    public func postMessage(token: String, channel: String, text: String, threadTS: String?) -> OutgoingRequest {
        var fields: [String: Any] = ["channel": channel, "text": text]
        if let threadTS { fields["thread_ts"] = threadTS }
        return OutgoingRequest(method: "POST", url: "\(apiRoot)/chat.postMessage",
                               headers: [HTTPHeader("Authorization", "Bearer \(token)"),
                                         HTTPHeader("Content-Type", "application/json; charset=utf-8")],
                               body: Self.json(fields), label: label)
    }

    /// `chat.getPermalink` (a read: safe to repeat).
    public func getPermalink(token: String, channel: String, ts: String) -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: "\(apiRoot)/chat.getPermalink?channel=\(Self.query(channel))&message_ts=\(Self.query(ts))",
                        headers: [HTTPHeader("Authorization", "Bearer \(token)")], label: label)
    }

    /// `auth.test` (the online check).
    public func authTest(token: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: "\(apiRoot)/auth.test", headers: [HTTPHeader("Authorization", "Bearer \(token)")],
                        label: label)
    }

    /// An incoming webhook message.
    public func webhook(url: String, text: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: url, headers: [HTTPHeader("Content-Type", "application/json")],
                        body: Self.json(["text": text]), label: label)
    }

    static func query(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }

    private static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
