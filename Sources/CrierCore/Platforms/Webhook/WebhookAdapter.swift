import Foundation

/// The generic webhook: POSTs a `WebhookEvent` as JSON with Standard Webhooks headers. The delivery id
/// is the `webhook-id`, identical on every retry, so receivers can drop duplicates.
public struct WebhookAdapter: PlatformAdapter {
    public init() {}

    public func request(for context: DeliveryContext, now: Date) throws(AdapterError) -> OutgoingRequest {
        let body = WebhookEvent(context: context).encoded()
        let timestamp = Int(now.timeIntervalSince1970)
        var headers = [
            HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("webhook-id", context.deliveryID),
            HTTPHeader("webhook-timestamp", String(timestamp)),
        ]
        if let secret = context.secrets["secret"] {
            guard let key = WebhookSignature.key(fromSecret: secret.value) else {
                throw AdapterError("channel '\(context.channel.name)': secret is not a Standard Webhooks signing secret; it must be 'whsec_' followed by base64")
            }
            headers.append(HTTPHeader("webhook-signature", WebhookSignature.sign(id: context.deliveryID, timestamp: timestamp, body: body, key: key)))
        }
        return OutgoingRequest(method: "POST", url: context.channel.url, headers: headers, body: body, label: context.deliveryID)
    }

    /// Reads `id` and `url` from a JSON response body, when the receiver returns them.
    public func remoteReference(from response: TransportResponse) -> RemoteReference? {
        guard !response.body.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else { return nil }
        let id = (object["id"] as? String) ?? (object["id"] as? NSNumber)?.stringValue
        let url = object["url"] as? String
        return id == nil && url == nil ? nil : RemoteReference(id: id, url: url)
    }
}
