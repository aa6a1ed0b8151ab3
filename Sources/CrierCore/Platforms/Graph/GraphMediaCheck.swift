/// Media by URL: Threads, Instagram and Facebook fetch a post's media from a public URL
/// (`media_base_url` + the file's path in the queue). Before a container is created crier checks,
/// with a `HEAD` (safe to repeat), that each URL answers 200 with the file's type and size, so a
/// media host that is not synced yet fails clearly instead of as Meta's vague "media fetch failed".
public enum GraphMediaCheck {
    /// Why `media` cannot be sent by URL on `channel`, or nil when every item has a public URL.
    public static func missingBaseURL(_ media: [MediaItem], channel: String, platform: String) -> String? {
        guard let item = media.first(where: { $0.publicURL == nil }) else { return nil }
        return "channel '\(channel)': \(platform) fetches media from a public URL, and the channel has no `media_base_url`; "
            + "publish the queue's media/ directory (a static site or bucket you sync) and set `media_base_url:` to where it is "
            + "served (\(item.file) would be at <media_base_url>/\(item.file)), or leave \(channel) out of this post's `channels:`"
    }

    /// The `HEAD` of item `index` (1-based): `check-media[index]`.
    public static func step(_ item: MediaItem, index: Int) -> StepRequest {
        StepRequest(name: "check-media[\(index)]", request: OutgoingRequest(method: "HEAD", url: item.publicURL ?? ""), repeatSafe: true)
    }

    /// The answer to a `HEAD`: advanced when it is 200 with the right type and size; a failure that
    /// names the file, the URL and the fix otherwise (5xx: retried, the host may be restarting).
    public static func read(_ response: TransportResponse, item: MediaItem, channel: String, progress: DeliveryProgress,
                            stepName: String) -> StepAnswer {
        let url = item.publicURL ?? ""
        if (500..<600).contains(response.status) {
            return .retry("\(item.file): \(url) answered HTTP \(response.status)", after: nil)
        }
        guard response.status == 200 else {
            return .failed("channel '\(channel)': \(item.file) is not reachable at \(url) (HTTP \(response.status)); "
                           + "sync the queue's media/ to `media_base_url` (or fix it), then `crier retry`")
        }
        let type = response.headers.value(for: "Content-Type")?.split(separator: ";").first
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let type, type != item.mimeType {
            return .failed("channel '\(channel)': \(url) is served as \(type), but \(item.file) is \(item.mimeType); "
                           + "serve it with `Content-Type: \(item.mimeType)`, or check that the URL holds this file")
        }
        if type == nil {
            return .failed("channel '\(channel)': \(url) is served without a Content-Type; the platform needs \(item.mimeType)")
        }
        if let length = response.headers.value(for: "Content-Length").flatMap(Int.init), length != item.byteCount {
            return .failed("channel '\(channel)': \(url) is \(length) bytes, but \(item.file) in the queue is \(item.byteCount); "
                           + "sync the media again (the published copy is stale)")
        }
        return .advanced(progress.completing(stepName))
    }
}
