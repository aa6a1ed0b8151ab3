import Foundation

/// Meta's long-lived user tokens (Threads, Instagram with Instagram Login), kept in the channel's
/// session: `access_token`, `issued_at` (Unix seconds) and `expiresAt`. They live 60 days and can be
/// refreshed once at least 24 hours old and not yet expired ("Long-Lived Access Tokens",
/// https://developers.facebook.com/docs/threads/get-started/long-lived-tokens;
/// https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token). crier
/// refreshes a token when it has less than `refreshMargin` left, so an account that posts at least
/// once a month never needs `crier auth` again.
public enum GraphToken {
    /// Refresh once fewer than 30 days of the 60 are left.
    public static let refreshMargin: TimeInterval = 30 * 86_400
    /// A token younger than this cannot be refreshed.
    public static let minimumAge: TimeInterval = 86_400

    /// Whether the session's token should be refreshed now (and can be).
    public static func wantsRefresh(_ session: ChannelSession, now: Date) -> Bool {
        guard !session.isPlaceholder, session["access_token"] != nil else { return false }
        let issued = session["issued_at"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
        let oldEnough = issued.map { now.timeIntervalSince($0) >= minimumAge } ?? true
        if let expiresAt = session.expiresAt, expiresAt <= now { return false }
        if session.needsRenewal { return oldEnough }
        guard let expiresAt = session.expiresAt else { return false }
        return oldEnough && expiresAt.timeIntervalSince(now) < refreshMargin
    }

    /// `GET {host}/refresh_access_token?grant_type=…&access_token=…`: a session step.
    public static func refreshStep(_ endpoint: GraphEndpoint, grantType: String, token: String) -> StepRequest {
        let url = endpoint.tokenURL("refresh_access_token", query: GraphForm([("grant_type", grantType), ("access_token", token)]))
        return StepRequest(name: "refresh-token", request: OutgoingRequest(method: "GET", url: url), repeatSafe: true, sessionStep: true)
    }

    /// `GET {host}/access_token?grant_type=…&client_secret=…&access_token=…`: a short-lived token
    /// for a long-lived one.
    public static func exchangeStep(_ endpoint: GraphEndpoint, grantType: String, clientSecret: String, token: String) -> StepRequest {
        let url = endpoint.tokenURL("access_token", query: GraphForm([("grant_type", grantType), ("client_secret", clientSecret),
                                                                        ("access_token", token)]))
        return StepRequest(name: "exchange-token", request: OutgoingRequest(method: "GET", url: url), repeatSafe: true, sessionStep: true)
    }

    /// The session in a token answer (`{"access_token","token_type","expires_in"}`), issued at `now`.
    public static func session(from response: TransportResponse, now: Date) -> ChannelSession? {
        guard (200..<300).contains(response.status), let object = GraphJSON.object(response.body),
              let token = GraphJSON.string(object["access_token"]), !token.isEmpty else { return nil }
        // `refreshable`: crier renews it by itself (`TokenExpiry`), though only when the channel posts.
        var values = ["access_token": token, "issued_at": String(Int(now.timeIntervalSince1970)), "refreshable": "true"]
        if let scope = GraphJSON.string(object["scope"]) { values["scope"] = scope }
        // Only a lifetime crier can write down (0 to 100 years; Int.max trapped `crier status`).
        let expiresAt = GraphJSON.int(object["expires_in"]).flatMap { OAuth2TokenAnswer.lifetime(NSNumber(value: $0)) }
            .map { now.addingTimeInterval($0) }
        return ChannelSession(values: values, expiresAt: expiresAt)
    }

    /// When the platform answered, from its `Date` header (RFC 9110 §6.6.1: an origin server with a
    /// clock sends one); what a step's reader uses as "now" for an issued token.
    public static func answeredAt(_ response: TransportResponse) -> Date? {
        guard let text = response.headers.value(for: "Date") else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    /// `2027-02-01`, for messages.
    public static func day(_ date: Date) -> String {
        String(TimestampFormat.string(date).prefix(10))
    }
}
