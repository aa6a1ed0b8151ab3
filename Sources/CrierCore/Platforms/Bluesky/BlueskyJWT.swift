import Foundation

/// Reads the expiry (`exp`) of a session token (a JWT) without checking its signature: crier only
/// uses it to renew a session before the PDS would refuse it. The token itself is never logged.
public enum BlueskyJWT {
    public static func expiry(of token: String) -> Date? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].utf8.count <= 4096 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let claims = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let exp = (claims["exp"] as? NSNumber)?.doubleValue, exp.isFinite, exp > 0, exp < 1e11 else { return nil }
        return Date(timeIntervalSince1970: exp)
    }
}
