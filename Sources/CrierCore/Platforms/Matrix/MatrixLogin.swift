import Foundation

/// How a Matrix channel gets its access token: the channel's `token`, or (with `user` and
/// `password`) a login crier makes once and keeps in the channel's session, for a fixed device
/// (`device_id`, default `crier-<channel>`) so transaction ids keep deduplicating across logins.
/// When the homeserver refuses the session's token (`M_UNKNOWN_TOKEN`), the engine marks the
/// session for renewal and this asks for a `refresh` (or, without a refresh token, a new `login`).
public struct MatrixLogin: Sendable {
    public var channel: ChannelConfig
    public var secrets: [String: Secret]
    public var session: ChannelSession
    /// For logs only (a delivery id, or `check`).
    public var label: String

    public init(channel: ChannelConfig, secrets: [String: Secret], session: ChannelSession, label: String) {
        self.channel = channel
        self.secrets = secrets
        self.session = session
        self.label = label
    }

    /// The token to send, a session step that gets one, or what is wrong with the settings.
    public enum Access: Sendable, Equatable {
        case token(String)
        case step(StepRequest)
        case fail(String)
    }

    /// Whether crier logs in itself (no `token`, a `user` and `password`).
    public var usesPassword: Bool { secrets["token"] == nil && secrets["password"] != nil }

    public var deviceID: String { channel.settings["device_id"] ?? "crier-\(channel.name)" }

    public func access() -> Access {
        if let token = secrets["token"]?.value, !token.isEmpty { return .token(token) }
        guard let user = channel.settings["user"], !user.isEmpty, let password = secrets["password"]?.value, !password.isEmpty else {
            return .fail("matrix channel '\(channel.name)': needs `token` (an access token), or `user` and `password`")
        }
        if session.isPlaceholder { return .token(ChannelSession.placeholderValue) }
        if !session.needsRenewal, let token = session["access_token"] { return .token(token) }
        if session.needsRenewal, let refresh = session["refresh_token"] {
            return .step(StepRequest(name: "refresh", request: MatrixRequests.refresh(homeserver: channel.url, refreshToken: refresh, label: label),
                                     repeatSafe: true, sessionStep: true))
        }
        return .step(StepRequest(name: "login",
                                 request: MatrixRequests.login(homeserver: channel.url, user: user, password: password, deviceID: deviceID, label: label),
                                 repeatSafe: true, sessionStep: true))
    }

    /// The session after a `login` or `refresh` answered 2xx; nil when the answer has no token.
    public func renewed(from response: TransportResponse, step: String) -> ChannelSession? {
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        guard let token = json["access_token"] as? String else { return nil }
        var values = session.values
        values["access_token"] = token
        if let refresh = json["refresh_token"] as? String {
            values["refresh_token"] = refresh
        } else if step == "login" {
            values["refresh_token"] = nil
        }
        if let user = json["user_id"] as? String { values["user_id"] = user }
        if let device = json["device_id"] as? String { values["device_id"] = device }
        return ChannelSession(values: values)
    }

    /// What an answer to `login` or `refresh` means.
    public func answer(_ response: TransportResponse, to step: String) -> StepAnswer {
        let prefix = "matrix channel '\(channel.name)': \(step)"
        if (200..<300).contains(response.status) {
            guard let renewed = renewed(from: response, step: step) else { return .failed("\(prefix): the homeserver's answer has no access_token") }
            return .renewed(renewed)
        }
        let parsed = MatrixErrorReader.parse(response.body)
        if step == "refresh", parsed.errcode == "M_UNKNOWN_TOKEN" || response.status == 401 {
            // The refresh token is dead too: forget both tokens, so the next step is a login.
            var values = session.values
            values["access_token"] = nil
            values["refresh_token"] = nil
            return .renewed(ChannelSession(values: values))
        }
        if step == "login", parsed.errcode == "M_FORBIDDEN" || response.status == 403 {
            return .failed("\(prefix): \(parsed.errcode): \(parsed.error); the homeserver refused `user` \(channel.settings["user"] ?? "") "
                           + "with this `password`: check both (and that the server allows password logins)")
        }
        return MatrixErrorReader(channel: channel.name, room: channel.settings["room"] ?? "").answer(response, to: step)
    }
}
