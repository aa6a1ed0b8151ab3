import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with the S256 method: a random verifier of 43–128
/// unreserved characters, and its challenge `BASE64URL(SHA256(verifier))` without padding.
public struct PKCE: Sendable, Equatable {
    public let verifier: String

    public init(verifier: String) {
        self.verifier = verifier
    }

    /// A fresh verifier: 32 random bytes, base64url-encoded (43 characters).
    public static func random() -> PKCE {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return PKCE(verifier: base64URL(Data(bytes)))
    }

    public var challenge: String {
        Self.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    public static let method = "S256"

    /// Base64url without padding (RFC 4648 §5).
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
