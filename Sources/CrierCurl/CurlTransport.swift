import CrierCore
import Foundation

/// The production `Transport`: libcurl's multi interface on one dedicated transfer thread.
///
/// - `send` only queues the request and returns. At most `options.maxConcurrentTransfers` transfers
///   run at once; the rest wait in FIFO order. Connections are kept alive and reused.
/// - Completions are called **on the transfer thread**: hop off quickly (enqueue, resume a
///   continuation), since no transfer progresses while a completion runs. After shutdown began,
///   `send` completes with `.cancelled` on the caller's thread instead.
/// - TLS peer and host verification are always on; redirects are not followed; only `http` and
///   `https` URLs are allowed. `Expect: 100-continue` is never sent.
/// - Response headers are returned in order (interim 1xx responses dropped); response bodies are
///   truncated to 64 KiB (`CurlEasyHandle.maxStoredBodyBytes`).
public final class CurlTransport: Transport {
    public let options: TransportOptions
    private let loop: CurlTransferLoop

    /// Starts the transfer thread. Stops the process if libcurl cannot initialise (out of memory or
    /// a broken TLS library): there is no way to send anything then.
    public init(options: TransportOptions = TransportOptions()) {
        self.options = options
        let loop: CurlTransferLoop
        do {
            loop = try CurlTransferLoop(options: options)
        } catch {
            fatalError("cannot start the libcurl transport: \(error)")
        }
        self.loop = loop
        let thread = Thread { loop.run() }
        thread.name = "crier-curl-transfers"
        thread.start()
    }

    deinit {
        loop.shutdown(graceSeconds: 0)
    }

    public func send(_ request: OutgoingRequest, completion: @escaping @Sendable (TransportResult) -> Void) {
        loop.submit(CurlTransferLoop.PendingTransfer(request: request, completion: completion))
    }

    /// Stops accepting requests (later `send`s complete with `.cancelled` at once) and cancels queued
    /// requests that have not started. Running transfers get until `graceSeconds` from now; those
    /// still running then complete with `.cancelled`. Blocks until the transfer thread has stopped
    /// and every curl handle is freed. Idempotent. Called from a completion (on the transfer
    /// thread) it cannot wait for itself and returns at once instead.
    public func shutdown(graceSeconds: Double) {
        loop.shutdown(graceSeconds: graceSeconds)
    }
}
