/// A transfer that produced no HTTP response at all. Every case is retryable except `.invalidRequest`
/// (a URL or option libcurl rejected: retrying the same request cannot help) and `.cancelled`.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case connect        // DNS, refused, unreachable
        case timeout        // connect or total timeout
        case tls            // certificate or handshake failure
        case network        // reset, broken pipe, partial response, other I/O trouble
        case invalidRequest // bad URL, unsupported protocol: permanent
        case cancelled      // the transport was shut down before the transfer finished
    }

    public var kind: Kind
    /// The library's own words (e.g. curl's error buffer), never containing request headers or bodies.
    public var message: String
    /// The library's numeric code (CURLcode) when there is one.
    public var code: Int
    /// Whether the request may have reached the receiver: the connection (and TLS) was up and
    /// sending had begun, so a platform may have acted on it although no answer came back. False
    /// when nothing left this machine (resolve, connect or TLS failed, the request was refused
    /// before sending, or the transfer never started).
    public var requestSent: Bool

    public init(kind: Kind, message: String, code: Int = 0, requestSent: Bool = false) {
        self.kind = kind
        self.message = message
        self.code = code
        self.requestSent = requestSent
    }

    public var isRetryable: Bool { kind != .invalidRequest && kind != .cancelled }

    public var description: String { "\(kind.rawValue): \(message)" }
}
