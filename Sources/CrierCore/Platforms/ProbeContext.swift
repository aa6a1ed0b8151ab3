/// What an adapter is given to check a channel online (`crier check --online`): the channel, its
/// resolved secrets and the session crier keeps for it.
public struct ProbeContext: Sendable {
    public var channel: ChannelConfig
    public var secrets: [String: Secret]
    public var session: ChannelSession

    public init(channel: ChannelConfig, secrets: [String: Secret], session: ChannelSession = .none) {
        self.channel = channel
        self.secrets = secrets
        self.session = session
    }
}
