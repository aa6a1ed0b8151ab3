/// Knobs for a transport. TLS verification is deliberately not among them: it is always on.
public struct TransportOptions: Sendable, Equatable {
    /// Seconds allowed to establish a connection (including TLS).
    public var connectTimeout: Double
    /// Seconds allowed for the whole transfer.
    public var totalTimeout: Double
    /// Transfers running at once across all hosts; further requests wait in the transport's queue.
    public var maxConcurrentTransfers: Int
    /// Sent as `User-Agent`.
    public var userAgent: String

    public init(connectTimeout: Double = 10, totalTimeout: Double = 30, maxConcurrentTransfers: Int = 50,
                userAgent: String = "crier/0.1") {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maxConcurrentTransfers = maxConcurrentTransfers
        self.userAgent = userAgent
    }
}
