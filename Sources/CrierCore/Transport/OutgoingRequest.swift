import Foundation

/// An HTTP request that a platform adapter built and a `Transport` will send.
///
/// Pure data: the adapter that builds it does no I/O, and the transport that sends it knows nothing
/// about posts or platforms. `label` is for logs only (delivery id), never for the wire.
public struct OutgoingRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data
    public var label: String
    /// The request must reach the server at most once (a step that is not safe to repeat, or any
    /// request on a throttled channel): the transport sends it on a fresh connection and never
    /// re-sends it by itself.
    public var atMostOnce: Bool
    /// Not to be started before this wall-clock instant (nil: at once). The engine builds a due
    /// request a few milliseconds ahead and the transport starts it at its due time, so the timer's
    /// lateness is the transport's wake-up alone, not the engine's work. A transport that cannot
    /// wait starts it at once.
    public var notBefore: Date?

    public init(method: String = "POST", url: String, headers: [HTTPHeader] = [], body: Data = Data(), label: String = "",
                atMostOnce: Bool = false, notBefore: Date? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.label = label
        self.atMostOnce = atMostOnce
        self.notBefore = notBefore
    }
}
