import CrierCore
import CrierReceiver
import Foundation
import Glibc
import Synchronization

/// Collects what a `LoopbackHTTPServer` received and answers with a fixed or computed reply.
final class RequestRecorder: Sendable {
    private let received = Mutex<[ReceivedHTTPRequest]>([])
    private let reply: @Sendable (ReceivedHTTPRequest) -> HTTPReply

    init(reply: @escaping @Sendable (ReceivedHTTPRequest) -> HTTPReply = { _ in .ok() }) {
        self.reply = reply
    }

    var requests: [ReceivedHTTPRequest] { received.withLock { $0 } }

    /// A started server on `host` that records every request; stop it when done.
    func startServer(host: String = "127.0.0.1") throws -> LoopbackHTTPServer {
        let server = try LoopbackHTTPServer(host: host) { [self] request in
            received.withLock { $0.append(request) }
            return reply(request)
        }
        server.start()
        return server
    }

    /// Waits (generously) until `count` requests arrived; returns whether they did.
    /// Polls on the calling thread rather than with `Task.sleep`: a test that times transfers must
    /// not wait for a turn of the cooperative pool, which other suites' blocking waits can hold for
    /// longer than a transfer's timeout.
    func waitForRequests(_ count: Int, timeoutSeconds: Double = 20) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while requests.count < count {
            guard ContinuousClock.now < deadline else { return false }
            usleep(5_000)
        }
        return true
    }
}
