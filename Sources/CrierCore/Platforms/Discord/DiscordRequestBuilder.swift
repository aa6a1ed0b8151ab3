import Foundation

/// Builds Discord requests: a bot's Create Message (`POST /channels/{id}/messages` with
/// `Authorization: Bot …`, the `DiscordBot (url, version)` User-Agent, `nonce` + `enforce_nonce`)
/// and a webhook's Execute Webhook (`POST <webhook_url>?wait=true`). With files, the body is
/// multipart: `payload_json` and `files[n]`, each with an `attachments[n]` entry whose
/// `description` is the alt text.
public struct DiscordRequestBuilder: Sendable {
    public static let defaultAPIRoot = "https://discord.com/api/v10"
    /// "DiscordBot ($url, $versionNumber)" — the form Discord requires of bots.
    public static let userAgent = "DiscordBot (https://crier.invalid, 0.1.0)"

    public var label: String
    /// `allowed_mentions`: no pings at all unless the channel sets `allow_mentions: true`.
    public var allowMentions: Bool

    public init(label: String, allowMentions: Bool) {
        self.label = label
        self.allowMentions = allowMentions
    }

    /// The nonce for a delivery: its id without the `d_` prefix (24 characters; Discord takes 25).
    public static func nonce(forDelivery id: String) -> String {
        String((id.hasPrefix("d_") ? id.dropFirst(2) : Substring(id)).prefix(25))
    }

    public func botMessage(apiRoot: String, token: String, channel: String, content: String, nonce: String, replyTo: String?,
                           files: [(MediaItem, Data)]) -> OutgoingRequest {
        var payload = basePayload(content: content)
        payload["nonce"] = nonce
        payload["enforce_nonce"] = true
        if let replyTo { payload["message_reference"] = ["message_id": replyTo, "fail_if_not_exists": true] }
        let url = "\(Self.trimmed(apiRoot))/channels/\(channel)/messages"
        return request(url: url, payload: payload, files: files,
                       headers: [HTTPHeader("Authorization", "Bot \(token)"), HTTPHeader("User-Agent", Self.userAgent)])
    }

    public func webhookMessage(webhookURL: String, threadID: String?, content: String, files: [(MediaItem, Data)]) -> OutgoingRequest {
        request(url: DiscordWebhookURL.executeURL(webhookURL, threadID: threadID), payload: basePayload(content: content), files: files,
                headers: [])
    }

    /// `GET /users/@me` or `GET /channels/{id}` (bot), or `GET <webhook_url>` (the online check).
    public func get(_ url: String, token: String?) -> OutgoingRequest {
        var headers = [HTTPHeader("User-Agent", Self.userAgent)]
        if let token { headers.insert(HTTPHeader("Authorization", "Bot \(token)"), at: 0) }
        return OutgoingRequest(method: "GET", url: url, headers: headers, label: label)
    }

    private func basePayload(content: String) -> [String: Any] {
        var payload: [String: Any] = [:]
        if !content.isEmpty { payload["content"] = content }
        payload["allowed_mentions"] = ["parse": allowMentions ? ["users", "roles", "everyone"] : [String]()]
        return payload
    }

    private func request(url: String, payload: [String: Any], files: [(MediaItem, Data)], headers: [HTTPHeader]) -> OutgoingRequest {
        var payload = payload
        guard !files.isEmpty else {
            return OutgoingRequest(method: "POST", url: url, headers: headers + [HTTPHeader("Content-Type", "application/json")],
                                   body: Self.json(payload), label: label)
        }
        payload["attachments"] = files.enumerated().map { index, file -> [String: Any] in
            var attachment: [String: Any] = ["id": index, "filename": MultipartForm.filename(of: file.0.file)]
            if let alt = file.0.alt { attachment["description"] = alt }
            return attachment
        }
        var form = MultipartForm(boundary: "crier-\(label)")
        form.field("payload_json", String(decoding: Self.json(payload), as: UTF8.self), contentType: "application/json")
        for (index, (item, bytes)) in files.enumerated() {
            form.file("files[\(index)]", filename: MultipartForm.filename(of: item.file), contentType: item.mimeType, bytes: bytes)
        }
        return OutgoingRequest(method: "POST", url: url, headers: headers + [HTTPHeader("Content-Type", form.contentType)],
                               body: form.encoded, label: label)
    }

    static func trimmed(_ root: String) -> String {
        var root = Substring(root.isEmpty ? defaultAPIRoot : root)
        while root.hasSuffix("/") { root = root.dropLast() }
        return String(root)
    }

    private static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
