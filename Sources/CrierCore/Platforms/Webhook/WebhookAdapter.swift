import Foundation

/// The generic webhook: one step, `send`, a POST of a `WebhookEvent` as JSON with Standard Webhooks
/// headers. The delivery id is the `webhook-id`, identical on every retry, so receivers drop
/// duplicates and the step is safe to repeat even when an answer was lost.
public struct WebhookAdapter: PlatformAdapter {
    public init() {}

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource,
                         now: Date) -> AdapterStep {
        let body = WebhookEvent(context: context).encoded()
        let timestamp = Int(now.timeIntervalSince1970)
        var headers = [
            HTTPHeader("Content-Type", "application/json"),
            HTTPHeader("webhook-id", context.deliveryID),
            HTTPHeader("webhook-timestamp", String(timestamp)),
        ]
        if let secret = context.secrets["secret"], secret.isPlaceholder {
            headers.append(HTTPHeader("webhook-signature", "v1,<redacted>"))
        } else if let secret = context.secrets["secret"] {
            guard let key = WebhookSignature.key(fromSecret: secret.value) else {
                return .fail("channel '\(context.channel.name)': secret is not a Standard Webhooks signing secret; it must be 'whsec_' followed by base64")
            }
            headers.append(HTTPHeader("webhook-signature", WebhookSignature.sign(id: context.deliveryID, timestamp: timestamp, body: body, key: key)))
        }
        let request = OutgoingRequest(method: "POST", url: context.channel.url, headers: headers, body: body, label: context.deliveryID)
        return .request(StepRequest(name: "send", request: request, repeatSafe: true))
    }

    /// A 2xx is sent, with `id`/`url` from a JSON body when the receiver returns them.
    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        guard (200..<300).contains(response.status) else { return .standard }
        return .sent(Self.remoteReference(from: response))
    }

    static func remoteReference(from response: TransportResponse) -> RemoteReference? {
        guard !response.body.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else { return nil }
        let id = (object["id"] as? String) ?? (object["id"] as? NSNumber)?.stringValue
        let url = object["url"] as? String
        return id == nil && url == nil ? nil : RemoteReference(id: id, url: url)
    }
}
