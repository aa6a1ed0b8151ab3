import Foundation

/// X's chunked media upload (API v2) for videos and large GIFs, one journaled step at a time:
/// `media-init[n]` (`POST /2/media/upload/initialize` → the media id), `media-append[n.k]` (each
/// chunk, `POST /2/media/upload/{id}/append` with `segment_index` k), `media-finalize[n]`
/// (`POST /2/media/upload/{id}/finalize`), then, while X is still processing,
/// `media-status[n]` (`GET /2/media/upload?command=STATUS&media_id=…`, retried after X's
/// `check_after_secs`). Every step is repeat-safe: nothing is visible until a post attaches the id.
/// When done, `media[n]` holds the id the create attaches.
public struct XChunkedUpload {
    /// Bytes per append (X takes up to 5 MB a chunk).
    public static let chunkSize = 4 * 1024 * 1024

    var base: String
    var n: Int
    var item: MediaItem

    /// Whether `item` goes through the chunked upload (else the simple one).
    static func needed(for item: MediaItem) -> Bool {
        item.isVideo || (item.mimeType == "image/gif" && item.byteCount > 5 * MediaLimits.megabyte)
    }

    var category: String { item.isVideo ? "tweet_video" : "tweet_gif" }

    /// The next request of this item's upload, or nil when `media[n]` is known.
    func nextRequest(progress: DeliveryProgress, deliveryID: String, bytes: () throws(MediaError) -> Data)
        throws(MediaError) -> (name: String, request: OutgoingRequest)? {
        if progress.values["media[\(n)]"] != nil { return nil }
        guard let id = progress.values["upload-id[\(n)]"] else {
            var writer = JSONWriter()
            writer.raw("{\"media_category\":")
            writer.string(category)
            writer.raw(",\"media_type\":")
            writer.string(item.mimeType)
            writer.raw(",\"total_bytes\":")
            writer.integer(item.byteCount)
            writer.raw("}")
            return ("media-init[\(n)]", OutgoingRequest(method: "POST", url: "\(base)/2/media/upload/initialize",
                                                        headers: [HTTPHeader("Content-Type", "application/json")], body: Data(writer.bytes),
                                                        label: deliveryID))
        }
        let segments = max(1, (item.byteCount + Self.chunkSize - 1) / Self.chunkSize)
        for segment in 0..<segments where !progress.isDone("media-append[\(n).\(segment)]") {
            let all = try bytes()
            let start = segment * Self.chunkSize
            let chunk = all.count > start ? all.subdata(in: start..<min(all.count, start + Self.chunkSize)) : Data()
            let boundary = "crier-\(deliveryID)-\(n)-\(segment)"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"segment_index\"\r\n\r\n\(segment)\r\n".utf8)
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"media\"; filename=\"chunk\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(chunk)
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            return ("media-append[\(n).\(segment)]", OutgoingRequest(method: "POST", url: "\(base)/2/media/upload/\(id)/append",
                                                                      headers: [HTTPHeader("Content-Type", "multipart/form-data; boundary=\(boundary)")],
                                                                      body: body, label: deliveryID))
        }
        if !progress.isDone("media-finalize[\(n)]") {
            return ("media-finalize[\(n)]", OutgoingRequest(method: "POST", url: "\(base)/2/media/upload/\(id)/finalize", label: deliveryID))
        }
        return ("media-status[\(n)]", OutgoingRequest(method: "GET", url: "\(base)/2/media/upload?command=STATUS&media_id=\(id)",
                                                      label: deliveryID))
    }

    /// Reads a 2xx answer to one of this upload's steps.
    static func read(_ response: TransportResponse, step: String, progress: DeliveryProgress, channel: String) -> StepAnswer? {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let data = json?["data"] as? [String: Any]
        let id = (data?["id"] as? String) ?? (data?["media_id_string"] as? String) ?? (data?["id"] as? NSNumber)?.stringValue
        if let n = XAdapter.index(step, prefix: "media-init[") {
            guard let id else { return .failed("X answered the media upload's initialize on channel '\(channel)' without a media id") }
            return .advanced(progress.completing(step, values: ["upload-id[\(n)]": id]))
        }
        if step.hasPrefix("media-append[") { return .advanced(progress.completing(step)) }
        guard let n = XAdapter.index(step, prefix: "media-finalize[") ?? XAdapter.index(step, prefix: "media-status[") else { return nil }
        let uploadID = progress.values["upload-id[\(n)]"] ?? id ?? ""
        guard let processing = data?["processing_info"] as? [String: Any] else {
            return .advanced(progress.completing(step, values: ["media[\(n)]": uploadID]))
        }
        switch processing["state"] as? String {
        case "succeeded":
            return .advanced(progress.completing(step, values: ["media[\(n)]": uploadID]))
        case "failed":
            let error = processing["error"] as? [String: Any]
            let words = ReceiverMessage.clip((error?["message"] as? String) ?? (error?["name"] as? String) ?? "processing failed")
            return .failed("X could not process the media of channel '\(channel)': \(words); check the file against X's media requirements")
        default:
            // pending or in_progress: ask again after X's hint.
            let wait = (processing["check_after_secs"] as? NSNumber)?.doubleValue ?? 5
            let next = step.hasPrefix("media-finalize[") ? progress.completing(step) : progress
            return step.hasPrefix("media-finalize[") ? .advanced(next) : .retry("X is still processing the media", after: wait)
        }
    }
}
