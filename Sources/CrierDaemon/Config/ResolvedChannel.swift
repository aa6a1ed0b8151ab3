import CrierCore

/// A channel ready to send: its config, its secrets resolved, and the adapter that speaks its API.
public struct ResolvedChannel: Sendable {
    public var config: ChannelConfig
    public var secrets: [String: Secret]
    public var adapter: any PlatformAdapter

    public init(config: ChannelConfig, secrets: [String: Secret], adapter: any PlatformAdapter) {
        self.config = config
        self.secrets = secrets
        self.adapter = adapter
    }
}
