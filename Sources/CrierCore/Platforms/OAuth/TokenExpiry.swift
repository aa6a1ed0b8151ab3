import Foundation

/// When a channel's token needs the operator: a token that cannot be refreshed (no refresh token)
/// expiring within a week, or already expired. Refreshable tokens are renewed by their adapter.
public enum TokenExpiry {
    public static let warningWindow: TimeInterval = 7 * 86_400

    /// Whether crier can renew the session by itself.
    public static func isRefreshable(_ session: ChannelSession) -> Bool {
        session.values["refresh_token"] != nil || session.values["refreshable"] == "true"
    }

    /// The operator's warning for `session` at `now`, or nil when there is nothing to do yet.
    public static func warning(channel: String, session: ChannelSession, now: Date) -> String? {
        guard let expiresAt = session.expiresAt, !isRefreshable(session) else { return nil }
        let left = expiresAt.timeIntervalSince(now)
        if left <= 0 {
            return "the token of channel '\(channel)' expired at \(TimestampFormat.string(expiresAt)); nothing goes to \(channel) until "
                + "`crier auth \(channel)` stores a new one"
        }
        guard left <= warningWindow else { return nil }
        let days = Int(left / 86_400)
        return "the token of channel '\(channel)' expires at \(TimestampFormat.string(expiresAt)) "
            + "(\(days < 1 ? "in less than a day" : "in \(days) day\(days == 1 ? "" : "s")")) and cannot be refreshed: "
            + "run `crier auth \(channel)` before then"
    }
}
