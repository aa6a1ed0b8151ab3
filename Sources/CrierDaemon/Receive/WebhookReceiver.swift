import CrierCore
import Dispatch
import FlyingFox
import FlyingSocks
import Foundation
import Glibc

/// `crier receive`: a local endpoint for `platform: webhook` channels, for trying crier without
/// accounts. It listens on a loopback address only, hands every request to a `WebhookInbox`
/// (signature checks, repeats) and reports each arrival as it comes. The HTTP server is FlyingFox's.
public struct WebhookReceiver: Sendable {
    public struct Configuration: Sendable {
        /// A loopback address: IPv4 in 127.0.0.0/8, or `::1`.
        public var host: String
        /// 0: any free port (the base URL passed to `listening` says which).
        public var port: UInt16
        /// The channel's `whsec_…` secret; nil: signatures are not checked.
        public var secret: String?
        /// Stop after this many requests; 0: serve until SIGINT or SIGTERM.
        public var count: Int

        public init(host: String = "127.0.0.1", port: UInt16 = 8787, secret: String? = nil, count: Int = 0) {
            self.host = host
            self.port = port
            self.secret = secret
            self.count = count
        }
    }

    /// What `run` passes on while it serves.
    public enum Event: Sendable {
        /// Bound and listening at `baseURL` (e.g. `http://127.0.0.1:8787`).
        case listening(baseURL: String)
        case arrived(WebhookInbox.Arrival)
    }

    public let configuration: Configuration
    private let host: LoopbackHost

    /// Checks the host (loopback only) and the secret's shape.
    public init(_ configuration: Configuration) throws(WebhookReceiverError) {
        host = try LoopbackHost(parsing: configuration.host)
        if let secret = configuration.secret, WebhookSignature.key(fromSecret: secret) == nil { throw .badSecret }
        self.configuration = configuration
    }

    /// True when a secret was given: signatures are checked.
    public var checksSignatures: Bool { configuration.secret != nil }

    /// Serves until `count` requests have arrived (their answers sent), SIGINT or SIGTERM (ignored by
    /// the process meanwhile), or cancellation; returns every arrival.
    public func run(_ report: @escaping @Sendable (Event) -> Void) async throws(WebhookReceiverError) -> [WebhookInbox.Arrival] {
        let addressText = "\(host.urlHost):\(configuration.port)"
        let address: any SocketAddress
        do {
            address = try host.socketAddress(port: configuration.port)
        } catch {
            throw .cannotListen(address: addressText, reason: Self.reason(error))
        }
        let inbox = WebhookInbox(secret: configuration.secret)
        let (stopRequests, requestStop) = AsyncStream.makeStream(of: Void.self)
        let count = configuration.count
        let handler = ClosureHTTPHandler { request in
            let (arrival, reply) = inbox.receive(try await Self.received(request))
            report(.arrived(arrival))
            if count > 0, inbox.count >= count { requestStop.yield() }
            return HTTPResponse(statusCode: HTTPStatusCode(reply.status, phrase: Self.phrase(reply.status)),
                                headers: [.contentType: reply.contentType], body: reply.body)
        }
        let quiet: DisabledLogger = .disabled
        let server = HTTPServer(address: address, logger: quiet, handler: handler)
        let signals = Self.stopOnSignals { requestStop.yield() }
        defer { for source in signals { source.cancel() } }
        if let failure = await Self.serve(server, until: stopRequests, listening: { port in
            report(.listening(baseURL: "http://\(host.urlHost):\(port ?? configuration.port)"))
        }) {
            throw .cannotListen(address: addressText, reason: failure)
        }
        return inbox.arrivals
    }

    private enum Step: Sendable {
        case listening, notListening, stopRequested
        case ended((any Error)?)
    }

    /// Runs `server` until a stop request; returns why it could not listen, or nil.
    private static func serve(_ server: HTTPServer, until stopRequests: AsyncStream<Void>,
                              listening: @escaping @Sendable (UInt16?) -> Void) async -> String? {
        await withTaskGroup(of: Step.self) { group in
            group.addTask {
                do {
                    try await server.run()
                    return .ended(nil)
                } catch {
                    return .ended(error)
                }
            }
            group.addTask {
                do {
                    try await server.waitUntilListening(timeout: 10)
                    return .listening
                } catch {
                    return .notListening
                }
            }
            var stopping = false
            var failure: String?
            for await step in group {
                switch step {
                case .listening:
                    listening(await Self.port(of: server))
                    group.addTask {
                        for await _ in stopRequests { break }
                        return .stopRequested
                    }
                case .notListening:
                    if !stopping, failure == nil { failure = "the server did not start listening" }
                    stopping = true
                    await server.stop()
                case .stopRequested:
                    stopping = true
                    // Stops accepting; the request being answered (the last one counted) has half a second to get
                    // its answer out before the rest is cancelled (an idle listener never returns by itself).
                    await server.stop(timeout: 0.5)
                case .ended(let error):
                    if !stopping { failure = error.map(Self.reason) ?? "the server stopped" }
                    stopping = true
                    group.cancelAll()
                }
            }
            return failure
        }
    }

    /// `bind: Address already in use`, rather than the error's debug text.
    private static func reason(_ error: any Error) -> String {
        if case .failed(let call, _, let message)? = error as? SocketError { return "\(call.lowercased()): \(message)" }
        return error.localizedDescription
    }

    private static func port(of server: HTTPServer) async -> UInt16? {
        switch await server.listeningAddress {
        case .ip4(_, let port)?, .ip6(_, let port)?: return port
        default: return nil
        }
    }

    /// FlyingFox's request as the inbox reads it: target, every header, the whole body, the peer.
    private static func received(_ request: HTTPRequest) async throws -> ReceivedHTTPRequest {
        let headers = request.headers.map { CrierCore.HTTPHeader($0.key.rawValue, $0.value) }
        let body = try await request.bodyData
        let peer: String
        switch request.remoteAddress {
        case .ip4(let ip, let port)?: peer = "\(ip):\(port)"
        case .ip6(let ip, let port)?: peer = "[\(ip)]:\(port)"
        case .unix(let path)?: peer = path
        case nil: peer = "unknown"
        }
        return ReceivedHTTPRequest(method: request.method.rawValue, path: request.target.rawValue, headers: headers,
                                   body: body, remoteAddress: peer, receivedAt: Date())
    }

    private static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 401: return "Unauthorized"
        default: return status < 400 ? "OK" : "Error"
        }
    }

    /// SIGINT and SIGTERM call `stop` instead of ending the process.
    private static func stopOnSignals(_ stop: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: stop)
            source.resume()
            return source
        }
    }
}
