import CrierCore
import Foundation
import Glibc

/// One accepted TCP connection of a `LoopbackHTTPServer`: its buffers, parser and pending reply.
/// Used only on the server thread.
final class HTTPConnection {
    /// A reply the handler asked to send later.
    struct ParkedReply {
        var reply: HTTPReply
        var answeringHead: Bool
        var keepAlive: Bool
        var dueAt: UInt64
    }

    /// Input beyond this is not read while a reply is parked (pipelined requests wait).
    private static let maxBufferedInput = HTTPRequestParser.maxRequestBytes + HTTPRequestParser.maxHeadBytes
    /// How long a closing connection keeps reading (and dropping) input so the client sees the reply.
    static let lingerNanoseconds: UInt64 = 2_000_000_000

    let fd: Int32
    let remoteAddress: String
    var parser = HTTPRequestParser()
    var input: [UInt8] = []
    var inputStart = 0
    var output: [UInt8] = []
    var outputStart = 0
    var parkedReply: ParkedReply?
    /// The last reply is queued; after it is sent the connection closes.
    var closesAfterOutput = false
    /// The client sent FIN: nothing more will arrive.
    var inputEnded = false
    /// Set once writes are shut down: drop input until the client closes or this deadline passes.
    var lingerDeadline: UInt64?
    private(set) var isClosed = false

    init(fd: Int32, remoteAddress: String) {
        self.fd = fd
        self.remoteAddress = remoteAddress
    }

    deinit {
        close()
    }

    var hasPendingOutput: Bool { outputStart < output.count }

    var wantsInput: Bool {
        !inputEnded && (lingerDeadline != nil || input.count - inputStart < Self.maxBufferedInput)
    }

    /// The earliest monotonic time this connection needs attention without socket activity.
    var nextDeadline: UInt64? {
        if let lingerDeadline { return lingerDeadline }
        return parkedReply?.dueAt
    }

    /// Reads what is available into `input` using `scratch`. Returns false when the connection failed.
    func readAvailable(into scratch: UnsafeMutableRawBufferPointer) -> Bool {
        while true {
            let count = SocketCall.read(fd, scratch.baseAddress!, scratch.count)
            if count > 0 {
                if lingerDeadline == nil {
                    input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                }
                if count < scratch.count || !wantsInput { return true }
            } else if count == 0 {
                inputEnded = true
                return true
            } else {
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
        }
    }

    func enqueue(_ bytes: [UInt8]) {
        if outputStart == output.count {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
        }
        output.append(contentsOf: bytes)
    }

    /// Sends queued output until done or the socket is full. Returns false when the connection failed.
    func flush() -> Bool {
        while outputStart < output.count {
            let sent = output.withUnsafeBytes { bytes in
                SocketCall.send(fd, bytes.baseAddress! + outputStart, bytes.count - outputStart)
            }
            if sent < 0 {
                return errno == EAGAIN || errno == EWOULDBLOCK
            }
            outputStart += sent
        }
        return true
    }

    /// Drops consumed input once it is worth the copy.
    func compactInput() {
        if inputStart == input.count {
            input.removeAll(keepingCapacity: true)
            inputStart = 0
        } else if inputStart >= 64 * 1024 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    /// Stops sending (FIN) and starts lingering so the client reads the last reply before the close.
    func beginLingeringClose(now: UInt64) {
        SocketCall.shutdownWrites(fd)
        lingerDeadline = now + Self.lingerNanoseconds
        input.removeAll()
        inputStart = 0
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        SocketCall.close(fd)
    }
}
