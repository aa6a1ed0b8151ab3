import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A real loopback HTTP server with a `WebhookInbox` behind it: the far end of a test channel.
public final class WebhookSink: Sendable {
    public static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// A request a fault answered instead of (or after) the inbox.
    public struct Faulted: Sendable {
        public var webhookID: String
        public var fault: FakeFault
        public var receivedAt: Date
    }

    /// The server thread's count of requests and the faults it injected.
    private final class FaultLog: Sendable {
        struct State {
            var requests = 0
            var faulted: [Faulted] = []
        }

        let state = Mutex(State())
    }

    public let inbox: WebhookInbox
    public let server: LoopbackHTTPServer
    private let log: FaultLog

    /// - Parameters:
    ///   - status: the status to answer, given the request and how many the inbox kept before it.
    ///   - fault: what to do instead of answering normally, given the request and how many requests
    ///     the server got before it (faulted ones included): `.dropBeforeActing` closes the connection
    ///     and the inbox never sees the request; `.dropAfterActing` lets the inbox keep it, then closes
    ///     the connection without answering (a reset after reading: the sender cannot know it
    ///     arrived); `.status(n)` answers n without the inbox; `.stall` holds the request (503 after
    ///     two minutes) without the inbox, so a test can kill the sender mid-send.
    public init(secret: String? = WebhookSink.secret,
                status: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Int = { _, _ in 200 },
                fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> FakeFault? = { _, _ in nil }) throws {
        let inbox = WebhookInbox(secret: secret, status: status)
        let log = FaultLog()
        self.inbox = inbox
        self.log = log
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            let injected = log.state.withLock { state -> FakeFault? in
                let injected = fault(request, state.requests)
                state.requests += 1
                if let injected {
                    state.faulted.append(Faulted(webhookID: request.headers.value(for: "webhook-id") ?? "", fault: injected,
                                                 receivedAt: request.receivedAt))
                }
                return injected
            }
            switch injected {
            case .dropBeforeActing: return .dropConnection
            case .status(let code): return .status(code)
            case .stall: return HTTPReply(status: 503).delayed(by: 120)
            case .dropAfterActing:
                _ = inbox.receive(request)
                return .dropConnection
            case nil:
                let (_, reply) = inbox.receive(request)
                return HTTPReply(status: reply.status, headers: [HTTPHeader("Content-Type", reply.contentType)], body: reply.body)
            }
        }
        server.start()
    }

    public var url: String { server.baseURL + "/hook" }

    public func stop() { server.stop() }

    /// Requests answered by a fault, in arrival order.
    public var faulted: [Faulted] { log.state.withLock { $0.faulted } }

    /// Every request the server got, faulted ones included.
    public var requestCount: Int { log.state.withLock { $0.requests } }

    /// Waits (polling, bounded) until `condition` holds for the arrivals; returns whether it did.
    @discardableResult
    public func wait(timeout: TimeInterval, until condition: ([WebhookInbox.Arrival]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(inbox.arrivals) { return true }
            usleep(20_000)
        }
        return condition(inbox.arrivals)
    }
}
