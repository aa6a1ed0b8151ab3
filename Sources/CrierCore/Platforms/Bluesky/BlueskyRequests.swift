import Foundation

/// Builds the XRPC requests crier sends to a PDS (lexicons in bluesky-social/atproto `lexicons/com/atproto`):
/// `server.createSession`, `server.refreshSession`, `server.getSession`, `identity.resolveHandle`,
/// `repo.uploadBlob`, `repo.createRecord` and `repo.getRecord`. Pure: no I/O.
public struct BlueskyRequests: Sendable {
    public var base: String
    public var label: String

    public init(pds url: String, label: String) {
        var base = Substring(url)
        while base.hasSuffix("/") { base = base.dropLast() }
        self.base = String(base)
        self.label = label
    }

    private func xrpc(_ method: String) -> String { "\(base)/xrpc/\(method)" }

    private func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    public func createSession(identifier: String, password: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: xrpc("com.atproto.server.createSession"),
                        headers: [HTTPHeader("Content-Type", "application/json")],
                        body: json(["identifier": identifier, "password": password]), label: label)
    }

    public func refreshSession(refreshToken: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: xrpc("com.atproto.server.refreshSession"),
                        headers: [HTTPHeader("Authorization", "Bearer \(refreshToken)")], label: label)
    }

    public func getSession(accessToken: String) -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: xrpc("com.atproto.server.getSession"),
                        headers: [HTTPHeader("Authorization", "Bearer \(accessToken)")], label: label)
    }

    public func resolveHandle(_ handle: String) -> OutgoingRequest {
        OutgoingRequest(method: "GET", url: xrpc("com.atproto.identity.resolveHandle") + "?handle=" + Self.query(handle), label: label)
    }

    public func uploadBlob(_ data: Data, mimeType: String, accessToken: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: xrpc("com.atproto.repo.uploadBlob"),
                        headers: [HTTPHeader("Authorization", "Bearer \(accessToken)"), HTTPHeader("Content-Type", mimeType)],
                        body: data, label: label)
    }

    public func createRecord(repo: String, rkey: String, record: [String: Any], accessToken: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: xrpc("com.atproto.repo.createRecord"),
                        headers: [HTTPHeader("Authorization", "Bearer \(accessToken)"), HTTPHeader("Content-Type", "application/json")],
                        body: json(["collection": BlueskyPostLink.collection, "record": record, "repo": repo, "rkey": rkey]), label: label)
    }

    public func getRecord(_ link: BlueskyPostLink, accessToken: String?) -> OutgoingRequest {
        OutgoingRequest(method: "GET",
                        url: xrpc("com.atproto.repo.getRecord") + "?repo=\(Self.query(link.did))&collection=\(BlueskyPostLink.collection)&rkey=\(Self.query(link.rkey))",
                        headers: accessToken.map { [HTTPHeader("Authorization", "Bearer \($0)")] } ?? [], label: label)
    }

    /// A query value: RFC 3986 unreserved characters and `:` pass, everything else percent-encoded.
    static func query(_ text: String) -> String {
        PercentEncoding.encode(text, keeping: ":")
    }
}
