import CrierCore
import CrierReceiver
import Foundation

/// A real loopback HTTP server with a `WebhookInbox` behind it: the far end of a test channel.
public final class WebhookSink: Sendable {
    public static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    public let inbox: WebhookInbox
    public let server: LoopbackHTTPServer

    /// - Parameter status: the status to answer, given the request and how many came before it.
    public init(secret: String? = WebhookSink.secret,
                status: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Int = { _, _ in 200 }) throws {
        let inbox = WebhookInbox(secret: secret, status: status)
        self.inbox = inbox
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            let (_, reply) = inbox.receive(request)
            return HTTPReply(status: reply.status, headers: [HTTPHeader("Content-Type", reply.contentType)], body: reply.body)
        }
        server.start()
    }

    public var url: String { server.baseURL + "/hook" }

    public func stop() { server.stop() }

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
