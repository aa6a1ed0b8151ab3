import CrierCore
import Dispatch
import Foundation
import Glibc
import Synchronization

/// The server thread of a `LoopbackHTTPServer`: one `poll()` loop over the listening socket, a
/// stop socket pair and every connection, with reply delays and lingering closes as poll timeouts.
///
/// Confinement (hence `@unchecked Sendable`): connection state is used only on the server thread.
/// Other threads touch only the immutable descriptors (`requestStop` writes one byte to the stop
/// socket pair), `serverThread` (behind its own `Mutex`) and the `finished` semaphore.
final class HTTPServerLoop: @unchecked Sendable {
    private static let scratchBytes = 64 * 1024
    private static let acceptPauseNanoseconds: UInt64 = 100_000_000

    private let listener: Int32
    private let stopReader: Int32
    private let stopWriter: Int32
    private let handler: @Sendable (ReceivedHTTPRequest) -> HTTPReply
    private let serverThread = Mutex<pthread_t?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    // Server thread only.
    private var connections: [HTTPConnection] = []
    private var pollSet: [pollfd] = []
    private var acceptPausedUntil: UInt64 = 0
    private let scratch: UnsafeMutableRawBufferPointer

    /// Takes ownership of `listener` (closed on failure too).
    init(listener: Int32, address: String, handler: @escaping @Sendable (ReceivedHTTPRequest) -> HTTPReply)
        throws(LoopbackHTTPServerError) {
        var pipeEnds: [Int32] = [0, 0]
        let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, socketType, 0, &pipeEnds) == 0 else {
            let code = errno
            SocketCall.close(listener)
            throw .socketSetup(call: "socketpair", address: address, errno: code)
        }
        self.listener = listener
        stopReader = pipeEnds[0]
        stopWriter = pipeEnds[1]
        self.handler = handler
        scratch = .allocate(byteCount: Self.scratchBytes, alignment: 1)
    }

    deinit {
        scratch.deallocate()
    }

    /// Asks a running loop to close everything and return. Call once.
    func requestStop() {
        var byte: UInt8 = 1
        _ = SocketCall.write(stopWriter, &byte, 1)
    }

    /// Releases the descriptors of a loop that never ran.
    func closeWithoutRunning() {
        closeDescriptors()
        finished.signal()
    }

    /// Blocks until the loop has finished, except on the server thread itself (from a handler),
    /// which cannot wait for itself.
    func waitUntilFinished() {
        let isServerThread = serverThread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
        guard !isServerThread else { return }
        finished.wait()
        finished.signal() // let every other waiter through too
    }

    /// The server thread's body.
    func run() {
        serverThread.withLock { $0 = pthread_self() }
        while serveOnce() {}
        for connection in connections { connection.close() }
        connections.removeAll()
        closeDescriptors()
        finished.signal()
    }

    /// One poll round. Returns false when the loop must end.
    private func serveOnce() -> Bool {
        let now = Self.monotonicNow()
        let connectionCount = connections.count
        pollSet.removeAll(keepingCapacity: true)
        pollSet.append(pollfd(fd: stopReader, events: Int16(POLLIN), revents: 0))
        pollSet.append(pollfd(fd: now >= acceptPausedUntil ? listener : -1, events: Int16(POLLIN), revents: 0))
        var deadline = acceptPausedUntil > now ? acceptPausedUntil : UInt64.max
        for connection in connections {
            var events: Int32 = 0
            if connection.wantsInput { events |= Int32(POLLIN) }
            if connection.hasPendingOutput { events |= Int32(POLLOUT) }
            pollSet.append(pollfd(fd: connection.fd, events: Int16(events), revents: 0))
            if let connectionDeadline = connection.nextDeadline { deadline = min(deadline, connectionDeadline) }
        }
        let timeout = deadline == .max ? -1 : Int32(clamping: (deadline.subtractingReportingOverflow(now).partialValue / 1_000_000) + 1)
        guard SocketCall.poll(&pollSet, pollSet.count, deadline <= now ? 0 : timeout) >= 0 else {
            return false // EINVAL or ENOMEM: nothing sensible left to serve
        }
        if pollSet[0].revents != 0 { return false }
        if pollSet[1].revents != 0 { acceptConnections() }
        for index in 0..<connectionCount {
            let revents = Int32(pollSet[index + 2].revents)
            if revents != 0 { handleEvents(revents, on: connections[index]) }
        }
        fireTimers(now: Self.monotonicNow())
        connections.removeAll { $0.isClosed }
        return true
    }

    private func acceptConnections() {
        while true {
            var peer = sockaddr_storage()
            let fd = SocketCall.accept(listener, &peer)
            guard fd >= 0 else {
                switch errno {
                case ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    acceptPausedUntil = Self.monotonicNow() + Self.acceptPauseNanoseconds
                    return
                default:
                    return // EAGAIN: accepted everything pending
                }
            }
            _ = SocketCall.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            connections.append(HTTPConnection(fd: fd, remoteAddress: LoopbackAddress.peerDescription(&peer)))
        }
    }

    private func handleEvents(_ revents: Int32, on connection: HTTPConnection) {
        if revents & Int32(POLLERR | POLLNVAL) != 0 || (connection.inputEnded && revents & Int32(POLLHUP) != 0) {
            connection.close()
            return
        }
        if revents & Int32(POLLIN | POLLHUP) != 0 {
            guard connection.readAvailable(into: scratch) else {
                connection.close()
                return
            }
            if connection.lingerDeadline == nil { processInput(of: connection) }
        }
        settle(connection)
    }

    /// Parses and answers every complete request in the connection's input, in order, until one
    /// reply is parked or the connection is closing.
    private func processInput(of connection: HTTPConnection) {
        while connection.parkedReply == nil && !connection.closesAfterOutput && !connection.isClosed {
            switch connection.parser.parse(connection.input, from: &connection.inputStart) {
            case .needMore(let sendContinue):
                if sendContinue { connection.enqueue(HTTPReply.continueLine) }
                connection.compactInput()
                return
            case .request(let head, let body):
                let request = ReceivedHTTPRequest(method: head.method, path: head.target, headers: head.headers,
                                                  body: body, remoteAddress: connection.remoteAddress,
                                                  receivedAt: Date())
                let reply = handler(request)
                let keepAlive = head.keepAlive && reply.connection == .keepAlive
                if reply.delay > 0 {
                    let delay = UInt64(min(reply.delay, 86_400) * 1_000_000_000)
                    connection.parkedReply = HTTPConnection.ParkedReply(
                        reply: reply, answeringHead: head.method == "HEAD", keepAlive: keepAlive,
                        dueAt: Self.monotonicNow() + delay)
                } else {
                    deliver(reply, answeringHead: head.method == "HEAD", keepAlive: keepAlive, on: connection)
                }
            case .reject(let status, let reason):
                let reply = HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "text/plain; charset=utf-8")],
                                      body: Data("\(reason)\n".utf8))
                connection.enqueue(reply.encoded(answeringHead: false, closing: true))
                connection.closesAfterOutput = true
            }
        }
        connection.compactInput()
    }

    private func deliver(_ reply: HTTPReply, answeringHead: Bool, keepAlive: Bool, on connection: HTTPConnection) {
        if reply.connection == .dropConnection {
            connection.close()
            return
        }
        connection.enqueue(reply.encoded(answeringHead: answeringHead, closing: !keepAlive))
        if !keepAlive { connection.closesAfterOutput = true }
    }

    /// Sends what is queued and closes the connection once nothing more is owed.
    private func settle(_ connection: HTTPConnection) {
        guard !connection.isClosed else { return }
        if connection.lingerDeadline != nil {
            if connection.inputEnded { connection.close() }
            return
        }
        guard connection.flush() else {
            connection.close()
            return
        }
        guard !connection.hasPendingOutput else { return }
        if connection.closesAfterOutput {
            if connection.inputEnded {
                connection.close()
            } else {
                connection.beginLingeringClose(now: Self.monotonicNow())
            }
        } else if connection.inputEnded && connection.parkedReply == nil {
            connection.close() // the client is done and is owed nothing
        }
    }

    private func fireTimers(now: UInt64) {
        for connection in connections where !connection.isClosed {
            if let lingerDeadline = connection.lingerDeadline {
                if now >= lingerDeadline { connection.close() }
            } else if let parked = connection.parkedReply, now >= parked.dueAt {
                connection.parkedReply = nil
                deliver(parked.reply, answeringHead: parked.answeringHead, keepAlive: parked.keepAlive, on: connection)
                processInput(of: connection)
                settle(connection)
            }
        }
    }

    private func closeDescriptors() {
        SocketCall.close(listener)
        SocketCall.close(stopReader)
        SocketCall.close(stopWriter)
    }

    private static func monotonicNow() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }
}
