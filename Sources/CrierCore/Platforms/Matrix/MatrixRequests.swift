import Foundation

/// The Matrix client-server requests crier makes (spec v1.x, `/_matrix/client/v3`, media `v3`/`v1`),
/// each a pure `OutgoingRequest`. The access token goes in the `Authorization` header, never in a URL.
public struct MatrixRequests: Sendable {
    /// The homeserver's base URL without a trailing `/`.
    public var homeserver: String
    public var accessToken: String
    /// For logs only (the delivery id).
    public var label: String

    public init(homeserver: String, accessToken: String, label: String) {
        var base = Substring(homeserver)
        while base.hasSuffix("/") { base = base.dropLast() }
        self.homeserver = String(base)
        self.accessToken = accessToken
        self.label = label
    }

    /// `GET /_matrix/client/v3/directory/room/{roomAlias}`: the room id behind an alias.
    public func resolveAlias(_ alias: String) -> OutgoingRequest {
        get("/_matrix/client/v3/directory/room/\(Self.pathSegment(alias))")
    }

    /// The content repository's configuration (`m.upload.size`): the authenticated endpoint
    /// (`/_matrix/client/v1/media/config`, spec v1.11), or the deprecated one older servers serve.
    public func mediaConfig(legacy: Bool) -> OutgoingRequest {
        get(legacy ? "/_matrix/media/v3/config" : "/_matrix/client/v1/media/config")
    }

    /// `POST /_matrix/media/v3/upload?filename=…`: the file's bytes as the body.
    public func upload(_ bytes: Data, mimeType: String, filename: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: homeserver + "/_matrix/media/v3/upload?filename=" + Self.pathSegment(filename),
                        headers: [authorization, HTTPHeader("Content-Type", mimeType)], body: bytes, label: label)
    }

    /// `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`: the homeserver answers a
    /// repeat of the same transaction id from the same device with the first event's id.
    public func sendMessage(room: String, transactionID: String, content: Data) -> OutgoingRequest {
        OutgoingRequest(method: "PUT",
                        url: homeserver + "/_matrix/client/v3/rooms/\(Self.pathSegment(room))/send/m.room.message/\(Self.pathSegment(transactionID))",
                        headers: [authorization, HTTPHeader("Content-Type", "application/json")], body: content, label: label)
    }

    /// `POST /_matrix/client/v3/login` with a password, for a fixed device (so transaction ids keep
    /// deduplicating across logins) and asking for a refresh token. No `Authorization` header.
    public static func login(homeserver: String, user: String, password: String, deviceID: String, label: String) -> OutgoingRequest {
        let body: [String: Any] = ["type": "m.login.password", "identifier": ["type": "m.id.user", "user": user], "password": password,
                                   "device_id": deviceID, "initial_device_display_name": "crier", "refresh_token": true]
        return OutgoingRequest(method: "POST", url: MatrixRequests(homeserver: homeserver, accessToken: "", label: label).homeserver + "/_matrix/client/v3/login",
                               headers: [HTTPHeader("Content-Type", "application/json")], body: json(body), label: label)
    }

    /// `POST /_matrix/client/v3/refresh`: a new access token (and refresh token) for a refresh token.
    public static func refresh(homeserver: String, refreshToken: String, label: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: MatrixRequests(homeserver: homeserver, accessToken: "", label: label).homeserver + "/_matrix/client/v3/refresh",
                        headers: [HTTPHeader("Content-Type", "application/json")], body: json(["refresh_token": refreshToken]), label: label)
    }

    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// `GET /_matrix/client/v3/account/whoami`: who the token belongs to (and its device).
    public func whoami() -> OutgoingRequest {
        get("/_matrix/client/v3/account/whoami")
    }

    /// `GET /_matrix/client/v3/joined_rooms`: the rooms the account is in.
    public func joinedRooms() -> OutgoingRequest {
        get("/_matrix/client/v3/joined_rooms")
    }

    private var authorization: HTTPHeader { HTTPHeader("Authorization", "Bearer " + accessToken) }

    private func get(_ path: String) -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: homeserver + path, headers: [authorization], label: label)
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (`!room:server` →
    /// `%21room%3Aserver`), for a path segment or a query value.
    public static func pathSegment(_ value: String) -> String {
        PercentEncoding.encode(value)
    }
}
