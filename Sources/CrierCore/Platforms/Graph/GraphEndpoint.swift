/// URLs of a Graph API channel. The channel's `url` is the versioned API root
/// (`https://graph.threads.net/v1.0`, `https://graph.instagram.com/v23.0`,
/// `https://graph.facebook.com/v23.0`); the token endpoints (`access_token`,
/// `refresh_access_token`) live at the host's root, without the version.
public struct GraphEndpoint: Sendable, Equatable {
    /// The versioned root, without a trailing slash.
    public var root: String

    public init(channelURL: String) {
        var root = Substring(channelURL)
        while root.hasSuffix("/") { root = root.dropLast() }
        self.root = String(root)
    }

    /// `root/path?query`.
    public func url(_ path: String, query: GraphForm = GraphForm()) -> String {
        let base = root + "/" + path
        return query.fields.isEmpty ? base : base + "?" + query.encoded
    }

    /// The root without a last path segment that names a version (`v1.0`, `v23.0`).
    public var hostRoot: String {
        guard let slash = root.lastIndex(of: "/") else { return root }
        let last = root[root.index(after: slash)...]
        let isVersion = last.first == "v" && last.dropFirst().allSatisfy { $0.isNumber || $0 == "." } && last.count > 1
        let beforeSlash = root[..<slash]
        return isVersion && !beforeSlash.hasSuffix("/") ? String(beforeSlash) : root
    }

    /// `hostRoot/path?query`: the token endpoints.
    public func tokenURL(_ path: String, query: GraphForm) -> String {
        hostRoot + "/" + path + "?" + query.encoded
    }
}
