/// The result of one transfer: an HTTP response (of any status) or a transport failure.
public typealias TransportResult = Result<TransportResponse, TransportError>

/// Sends HTTP requests. The daemon talks only to this protocol: `CurlTransport` (libcurl multi) in
/// production, `RecordingTransport` for dry-runs and tests.
///
/// `send` returns at once; `completion` is called exactly once, on a thread of the transport's
/// choosing, after the transfer ended (or was abandoned by `shutdown`).
public protocol Transport: Sendable {
    func send(_ request: OutgoingRequest, completion: @escaping @Sendable (TransportResult) -> Void)

    /// Stop accepting requests, give in-flight transfers until `graceSeconds` to finish, then
    /// abandon the rest (their completions report `.cancelled`). Blocks until done.
    func shutdown(graceSeconds: Double)
}
