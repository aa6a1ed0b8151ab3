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

    /// `files.getUploadURLExternal` for one file (nothing visible yet: safe to repeat).
    public func getUploadURL(token: String, filename: String, length: Int, altText: String?) -> OutgoingRequest {
        var form = "filename=\(Self.query(filename))&length=\(length)"
        if let altText { form += "&alt_txt=\(Self.query(altText))" }
        return OutgoingRequest(method: "POST", url: "\(apiRoot)/files.getUploadURLExternal",
                               headers: [HTTPHeader("Authorization", "Bearer \(token)"),
                                         HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
                               body: Data(form.utf8), label: label)
    }

    /// The file's bytes, POSTed raw to the upload URL Slack gave.
    public func upload(to url: String, bytes: Data) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: url, headers: [HTTPHeader("Content-Type", "application/octet-stream")], body: bytes, label: label)
    }

    /// `files.completeUploadExternal`: shares the uploaded files in `channel` with the text as the
    /// message (`initial_comment`). Visible: not safe to repeat.
    public func completeUpload(token: String, files: [(id: String, title: String)], channel: String, text: String) -> OutgoingRequest {
        let fields: [String: Any] = ["files": files.map { ["id": $0.id, "title": $0.title] }, "channel_id": channel, "initial_comment": text]
        return OutgoingRequest(method: "POST", url: "\(apiRoot)/files.completeUploadExternal",
                               headers: [HTTPHeader("Authorization", "Bearer \(token)"),
                                         HTTPHeader("Content-Type", "application/json; charset=utf-8")],
                               body: Self.json(fields), label: label)
    }

    /// `files.info` (a read): where the file was shared, with the message's ts.
    public func fileInfo(token: String, fileID: String) -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: "\(apiRoot)/files.info?file=\(Self.query(fileID))",
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
