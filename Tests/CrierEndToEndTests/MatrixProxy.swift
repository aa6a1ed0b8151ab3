import CrierCore
import CrierReceiver
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Synchronization

/// A loopback proxy in front of the real homeserver: forwards every request as it came and relays
/// the answer, except where `fault` says to lose it — the request still reaches Synapse and takes
/// effect there, but crier never hears back (the case the transaction id exists for).
final class MatrixProxy: Sendable {
    enum Fault: Sendable, Equatable {
        /// Forward, then close the connection without answering.
        case loseAnswer
        /// Forward, then keep crier waiting this long before closing without an answer.
        case holdAnswer(seconds: Double)
    }

    struct Exchange: Sendable, Equatable {
        var method: String
        var path: String
        var status: Int
        var body: String
        var answered: Bool
    }

    private let upstream: String
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> Fault?
    private let exchanges = Mutex<[Exchange]>([])
    private let server: LoopbackHTTPServer

    init(upstream: String, fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Fault?) throws {
        self.upstream = upstream
        self.fault = fault
        let box = Mutex<MatrixProxy?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.forward(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    var url: String { server.baseURL }
    func stop() { server.stop() }

    /// Every request forwarded, with Synapse's answer (also the ones crier never got), in order.
    var log: [Exchange] { exchanges.withLock { $0 } }

    /// The `PUT …/send/m.room.message/{txnId}` exchanges.
    var sends: [Exchange] { log.filter { $0.method == "PUT" && $0.path.contains("/send/m.room.message/") } }

    private func forward(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let index = exchanges.withLock { $0.count }
        var outgoing = URLRequest(url: URL(string: upstream + request.path)!)
        outgoing.httpMethod = request.method
        outgoing.timeoutInterval = 30
        for header in request.headers where !["host", "content-length", "connection", "expect"].contains(header.name.lowercased()) {
            outgoing.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if !request.body.isEmpty { outgoing.httpBody = request.body }
        let answer: (status: Int, body: Data)
        do {
            answer = try MatrixHomeserver.send(outgoing)
        } catch {
            return HTTPReply(status: 502, body: Data("proxy: \(error)".utf8))
        }
        let injected = fault(request, index)
        exchanges.withLock {
            $0.append(Exchange(method: request.method, path: request.path, status: answer.status, body: String(decoding: answer.body, as: UTF8.self),
                               answered: injected == nil))
        }
        switch injected {
        case .loseAnswer: return HTTPReply(connection: .dropConnection)
        case .holdAnswer(let seconds): return HTTPReply(delay: seconds, connection: .dropConnection)
        case nil: return HTTPReply(status: answer.status, headers: [HTTPHeader("Content-Type", "application/json")], body: answer.body)
        }
    }
}
