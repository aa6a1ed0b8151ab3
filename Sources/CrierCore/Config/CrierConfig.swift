import Foundation

/// The whole of `crier.yml`, validated. Built by `ConfigParser`; immutable once loaded (a reload
/// builds a new one and swaps it in only if it is valid).
public struct CrierConfig: Sendable, Equatable {
    /// The queue directory as written (relative paths are relative to the working directory).
    public var queue: String?
    public var timeZone: TimeZone
    /// Channel told about permanent failures (reserved; validated now, used by alerting).
    public var alerts: String?
    public var defaults: PostDefaults
    public var delivery: DeliverySettings
    /// Channels in the order they appear in the file.
    public var channels: [ChannelConfig]
    /// Who may approve posts (`approvers:`); nil: nobody can, so `approval: required` needs it.
    public var approvers: Approvers?
    /// Where the journal lives (`store:`): SQLite in the queue, or a PostgreSQL shared by several daemons.
    public var store = StoreSettings()

    public init(queue: String? = nil, timeZone: TimeZone = TimeZone(identifier: "UTC")!, alerts: String? = nil,
                defaults: PostDefaults = PostDefaults(), delivery: DeliverySettings = DeliverySettings(),
                channels: [ChannelConfig] = []) {
        self.queue = queue
        self.timeZone = timeZone
        self.alerts = alerts
        self.defaults = defaults
        self.delivery = delivery
        self.channels = channels
    }

    public func channel(named name: String) -> ChannelConfig? {
        channels.first { $0.name == name }
    }

    public var channelNames: [String] { channels.map(\.name) }
}
