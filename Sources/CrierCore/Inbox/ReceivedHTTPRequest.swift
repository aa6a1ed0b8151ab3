import Foundation

/// One complete HTTP request as a receiver got it: `crier receive`'s server, or the tests'
/// `LoopbackHTTPServer`. What `WebhookInbox` reads.
public struct ReceivedHTTPRequest: Sendable, Equatable {
    public var method: String
    /// The request target as sent, e.g. `/hooks/abc?x=1`.
    public var path: String
    /// Every header line in arrival order.
    public var headers: [HTTPHeader]
    /// The body, with chunked transfer coding removed.
    public var body: Data
    /// The peer as `ip:port` (`[ip]:port` for IPv6); one value per TCP connection.
    public var remoteAddress: String
    /// When the last byte of the request arrived.
    public var receivedAt: Date

    public init(method: String, path: String, headers: [HTTPHeader], body: Data, remoteAddress: String,
                receivedAt: Date) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.receivedAt = receivedAt
    }
}
