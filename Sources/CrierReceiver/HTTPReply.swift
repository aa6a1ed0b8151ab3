import CrierCore
import Foundation

/// What a `LoopbackHTTPServer` handler answers, including test hooks for slow and broken servers.
public struct HTTPReply: Sendable, Equatable {
    /// What happens to the connection once the reply is due.
    public enum ConnectionBehaviour: Sendable, Equatable {
        /// Answer and keep the connection open (unless the client asked to close it).
        case keepAlive
        /// Answer with `Connection: close`, then close.
        case close
        /// Close the connection without answering.
        case dropConnection
    }

    public var status: Int
    /// Sent as given, except `Content-Length` and `Transfer-Encoding`, which the server sets itself.
    public var headers: [HTTPHeader]
    public var body: Data
    /// Seconds to wait before answering (or dropping). Other connections are served meanwhile, and
    /// later pipelined requests on this connection wait for this reply.
    public var delay: Double
    public var connection: ConnectionBehaviour

    public init(status: Int = 200, headers: [HTTPHeader] = [], body: Data = Data(), delay: Double = 0,
                connection: ConnectionBehaviour = .keepAlive) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.connection = connection
    }

    /// `200 OK` with `body`.
    public static func ok(_ body: Data = Data(), headers: [HTTPHeader] = []) -> HTTPReply {
        HTTPReply(status: 200, headers: headers, body: body)
    }

    /// `200 OK` with a UTF-8 text body.
    public static func text(_ text: String, status: Int = 200) -> HTTPReply {
        HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "text/plain; charset=utf-8")],
                  body: Data(text.utf8))
    }

    /// An empty reply with `status` and, if given, a `Retry-After` of whole seconds.
    public static func status(_ status: Int, retryAfter seconds: Int? = nil) -> HTTPReply {
        HTTPReply(status: status, headers: seconds.map { [HTTPHeader("Retry-After", String($0))] } ?? [])
    }

    /// Closes the connection without answering.
    public static let dropConnection = HTTPReply(connection: .dropConnection)

    /// This reply, sent `seconds` later.
    public func delayed(by seconds: Double) -> HTTPReply {
        var reply = self
        reply.delay = seconds
        return reply
    }

    /// This reply, after which the server closes the connection.
    public func closingConnection() -> HTTPReply {
        var reply = self
        reply.connection = .close
        return reply
    }
}
