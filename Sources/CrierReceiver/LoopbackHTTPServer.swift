import CrierCore
import Foundation
import Glibc
import Synchronization

/// A small HTTP/1.1 server bound to a loopback address: the tests' webhook endpoint and
/// `crier-bench`'s, with fault injection (`HTTPReply.delay`, dropped connections). Test support
/// only: `crier receive` runs on FlyingFox (`CrierDaemon/Receive/WebhookReceiver.swift`).
///
/// One thread runs a non-blocking `poll()` loop over every connection. It supports keep-alive,
/// pipelining, `Content-Length` and chunked request bodies, `Expect: 100-continue`, and answers
/// malformed requests with 400 (413 above 8 MiB) before closing. `handler` runs **on the server
/// thread**, once per request, and must return quickly: no connection is served while it runs.
/// Use `HTTPReply.delay` rather than sleeping to answer slowly.
public final class LoopbackHTTPServer: Sendable {
    private enum Lifecycle {
        case created, running, stopped
    }

    /// The address listened on, as given.
    public let host: String
    /// The bound port (the kernel's choice when created with port 0).
    public let port: UInt16
    /// `http://host:port` with IPv6 hosts bracketed, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String

    private let loop: HTTPServerLoop
    private let lifecycle = Mutex(Lifecycle.created)

    /// Binds and listens on `host` (an IPv4 address in 127.0.0.0/8 or `::1`) and `port` (0: any free
    /// port). Connections queue until `start()`.
    /// - Throws: `LoopbackHTTPServerError.notLoopback` for any other host, `.socketSetup` when the
    ///   socket cannot be bound.
    public init(host: String = "127.0.0.1", port: UInt16 = 0,
                handler: @escaping @Sendable (ReceivedHTTPRequest) -> HTTPReply) throws(LoopbackHTTPServerError) {
        let address = try LoopbackAddress(parsing: host)
        let description = "\(address.urlHost):\(port)"
        let listener = try Self.listen(on: address, port: port, description: description)
        let boundPort: UInt16
        do {
            boundPort = try Self.boundPort(of: listener, description: description)
        } catch {
            SocketCall.close(listener)
            throw error
        }
        self.host = host
        self.port = boundPort
        baseURL = "http://\(address.urlHost):\(boundPort)"
        loop = try HTTPServerLoop(listener: listener, address: description, handler: handler)
    }

    deinit {
        stop()
    }

    /// Starts serving on a new thread. Does nothing if already started or stopped.
    public func start() {
        let shouldStart = lifecycle.withLock { state in
            guard case .created = state else { return false }
            state = .running
            return true
        }
        guard shouldStart else { return }
        let thread = Thread { [loop] in loop.run() }
        thread.name = "crier-receiver"
        thread.start()
    }

    /// Closes the listener and every connection (replies still parked are dropped) and waits for
    /// the server thread to end. Idempotent. From inside `handler` it cannot wait for its own
    /// thread, so it returns at once and the server stops right after the handler returns.
    public func stop() {
        let previous = lifecycle.withLock { state in
            let previous = state
            state = .stopped
            return previous
        }
        switch previous {
        case .created: loop.closeWithoutRunning()
        case .running: loop.requestStop()
        case .stopped: break
        }
        loop.waitUntilFinished()
    }

    private static func listen(on address: LoopbackAddress, port: UInt16, description: String)
        throws(LoopbackHTTPServerError) -> Int32 {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socketSetup(call: "socket", address: description, errno: errno) }
        func fail(_ call: String) -> LoopbackHTTPServerError {
            let code = errno
            SocketCall.close(fd)
            return .socketSetup(call: call, address: description, errno: code)
        }
        guard SocketCall.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1) == 0 else { throw fail("setsockopt(SO_REUSEADDR)") }
        if case .ipv6 = address {
            guard SocketCall.setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) == 0 else {
                throw fail("setsockopt(IPV6_V6ONLY)")
            }
        }
        guard address.withSocketAddress(port: port, { bind(fd, $0, $1) }) == 0 else { throw fail("bind") }
        guard Glibc.listen(fd, 512) == 0 else { throw fail("listen") }
        return fd
    }

    private static func boundPort(of fd: Int32, description: String) throws(LoopbackHTTPServerError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw .socketSetup(call: "getsockname", address: description, errno: errno) }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }
}
