import Foundation

/// Removes a channel's secret values from text that is about to be logged, journaled or shown: a
/// transport error (libcurl's error buffer may quote the URL, and a Telegram bot token or a Discord
/// or Slack webhook token lives in the URL), a receiver's message, a request URL in a dry-run log.
/// Each value is replaced by `<redacted>`, also where it appears percent-encoded.
public enum SecretRedaction {
    public static let marker = "<redacted>"

    /// `text` with every value of `secrets` (at least 4 characters long) replaced by `<redacted>`.
    public static func redact(_ text: String, secrets: [String: Secret]) -> String {
        var result = text
        for secret in secrets.values.map(\.value).sorted(by: { $0.count > $1.count }) where secret.count >= 4 {
            for form in forms(of: secret) where result.contains(form) {
                result = result.replacingOccurrences(of: form, with: marker)
            }
        }
        return result
    }

    /// The value as written, and percent-encoded (as it may stand in a URL or a form body).
    static func forms(of secret: String) -> [String] {
        var encoded = ""
        for byte in secret.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                encoded += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return encoded == secret ? [secret] : [secret, encoded, encoded.lowercased()]
    }
}
