import CrierCore
import Foundation

/// A transport that sends nothing: it records each request and answers it with `reply` (200 by
/// default). Dry-runs and tests run the real pipeline with this in place of libcurl.
public final class RecordingTransport: Transport, @unchecked Sendable {
    // Confinement: `recorded` and `isShutDown` are guarded by `lock`.
    private let lock = NSLock()
    private var recorded: [OutgoingRequest] = []
    private var isShutDown = false
    private let reply: @Sendable (OutgoingRequest) -> TransportResult
    private let onSend: (@Sendable (OutgoingRequest) -> Void)?
    private let keepsRequests: Bool

    /// - Parameter keepsRequests: false when nobody reads `requests` (the preview), to save memory.
    public init(keepsRequests: Bool = true, onSend: (@Sendable (OutgoingRequest) -> Void)? = nil,
                reply: @escaping @Sendable (OutgoingRequest) -> TransportResult = { _ in .success(TransportResponse(status: 200)) }) {
        self.reply = reply
        self.onSend = onSend
        self.keepsRequests = keepsRequests
    }

    public var requests: [OutgoingRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    public func send(_ request: OutgoingRequest, completion: @escaping @Sendable (TransportResult) -> Void) {
        lock.lock()
        let stopped = isShutDown
        if !stopped, keepsRequests { recorded.append(request) }
        lock.unlock()
        if stopped {
            completion(.failure(TransportError(kind: .cancelled, message: "transport is shut down")))
            return
        }
        onSend?(request)
        completion(reply(request))
    }

    public func shutdown(graceSeconds: Double) {
        lock.lock()
        isShutDown = true
        lock.unlock()
    }
}
