import Foundation

/// Reading and asking for OAuth 2 tokens (RFC 6749 §5.1, §6) the way X and LinkedIn answer: a JSON
/// body with `access_token`, `expires_in`, `refresh_token` (rotated on every refresh, where given)
/// and `scope`, turned into the channel's `ChannelSession`.
public enum OAuth2TokenAnswer {
    /// The session a token answer describes. `issuedAt` (the answer's `Date` header, or the time of
    /// the request) turns `expires_in` into `expiresAt`. A refresh answer without a new refresh token
    /// keeps `previous`'s (RFC 6749 §6: the server *may* issue a new one).
    public static func session(from response: TransportResponse, issuedAt: Date?, previous: ChannelSession? = nil,
                               platform: String) -> Result<ChannelSession, TokenGrantError> {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status), let access = json["access_token"] as? String, !access.isEmpty else {
            let error = ((json["error_description"] as? String) ?? (json["error"] as? String) ?? (json["message"] as? String))
                .map(ReceiverMessage.clip) ?? ReceiverMessage.summary(of: response)
            return .failure(TokenGrantError("\(platform) refused the token request (HTTP \(response.status)): \(error)"))
        }
        var values = ["access_token": access]
        if let refresh = json["refresh_token"] as? String, !refresh.isEmpty {
            values["refresh_token"] = refresh
        } else if let kept = previous?.values["refresh_token"] {
            values["refresh_token"] = kept
        }
        if let scope = json["scope"] as? String { values["scope"] = scope }
        var expiresAt: Date?
        if let seconds = lifetime(json["expires_in"]), let issuedAt {
            expiresAt = issuedAt.addingTimeInterval(seconds)
        }
        if let seconds = lifetime(json["refresh_token_expires_in"]), let issuedAt {
            values["refresh_expires_at"] = String(Int(issuedAt.addingTimeInterval(seconds).timeIntervalSince1970))
        }
        return .success(ChannelSession(values: values, expiresAt: expiresAt))
    }

    /// A token's lifetime as the answer gives it (`expires_in`), if it is one crier can add to a date
    /// and write down: 0 to 100 years. (`1e300` trapped converting the refresh token's expiry to
    /// an Int, and an expiry past year 292,277,026,596 trapped `crier status`.)
    static func lifetime(_ value: Any?) -> TimeInterval? {
        guard let seconds = (value as? NSNumber)?.doubleValue, seconds.isFinite, seconds >= 0, seconds <= DurationParser.maximum else {
            return nil
        }
        return seconds
    }

    /// When the server answered, from its `Date` header (RFC 9110 §6.6.1), if it sent one.
    public static func date(of response: TransportResponse) -> Date? {
        guard let value = response.headers.value(for: "Date"),
              let seconds = RetryAfter.seconds(value, now: Date(timeIntervalSince1970: 0)), seconds > 0 else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// An `application/x-www-form-urlencoded` body.
    public static func form(_ pairs: [(String, String)]) -> Data {
        Data(pairs.map { OAuth1Signature.percentEncode($0.0) + "=" + OAuth1Signature.percentEncode($0.1) }.joined(separator: "&").utf8)
    }

    /// `Basic base64(client_id:client_secret)` (RFC 6749 §2.3.1).
    public static func basicAuthorization(clientID: String, clientSecret: String) -> String {
        "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
    }
}
