import Foundation

/// The receiver's own explanation of a failure, short enough for a receipt and a log line: the
/// `error`/`message`/`detail` field of a JSON body, else the start of the body text.
public enum ReceiverMessage {
    public static let maximumLength = 300

    public static func summary(of response: TransportResponse) -> String {
        if let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            let keys = ["error_description", "error", "message", "detail", "description"]
            for key in keys {
                if let text = object[key] as? String, !text.isEmpty { return clip(text) }
                if let nested = object[key] as? [String: Any], let text = nested["message"] as? String, !text.isEmpty { return clip(text) }
            }
            // The receiver's error fields are there but say nothing.
            if keys.contains(where: { object[$0] != nil }) { return "(no message)" }
        }
        let text = String(decoding: response.body.prefix(4096), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? "(no message)" : clip(text)
    }

    /// `text` cut to `maximumLength` characters (and "…"): a platform's own words (an error
    /// message, a status, an error code) before an adapter quotes them in a failure or a retry.
    public static func clip(_ text: String) -> String {
        text.count <= maximumLength ? text : String(text.prefix(maximumLength)) + "…"
    }
}
