import Crypto
import Foundation

/// Standard Webhooks signatures: `v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")), where the key
/// is the base64 text after `whsec_` in the signing secret.
public enum WebhookSignature {
    public static let secretPrefix = "whsec_"

    /// The raw key bytes of a `whsec_…` secret, or nil when it is not of that shape.
    public static func key(fromSecret secret: String) -> Data? {
        guard secret.hasPrefix(secretPrefix) else { return nil }
        return Data(base64Encoded: String(secret.dropFirst(secretPrefix.count)))
    }

    public static func sign(id: String, timestamp: Int, body: Data, key: Data) -> String {
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Why a received webhook does not verify, or nil when it does. Checks the timestamp is within
    /// `tolerance` of `now` (replay protection) and that one of the space-separated `v1,` signatures
    /// matches, in constant time.
    public static func verificationProblem(id: String?, timestamp: String?, signatures: String?, body: Data, key: Data,
                                           now: Date, tolerance: TimeInterval = 300) -> String? {
        guard let id, !id.isEmpty else { return "no webhook-id header" }
        guard let timestamp, let seconds = Int(timestamp) else { return "no valid webhook-timestamp header" }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else {
            return "webhook-timestamp \(seconds) is more than \(Int(tolerance))s from now"
        }
        guard let signatures, !signatures.isEmpty else { return "no webhook-signature header" }
        let expected = Array(sign(id: id, timestamp: seconds, body: body, key: key).utf8)
        for candidate in signatures.split(separator: " ") where constantTimeEqual(Array(candidate.utf8), expected) {
            return nil
        }
        return "signature does not match"
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
