import CrierDaemon
import Foundation
import Glibc

/// A blocking TCP client for feeding a server exact bytes (pipelining, chunking, broken requests).
/// Reads give up after 10 seconds of silence so a misbehaving server fails the test, not hangs it.
public final class RawHTTPClient {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private let fd: Int32

    public init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            // Not closed here: `deinit` runs for an initializer that throws once every property is
            // set, and closing twice could close a descriptor another thread was just given.
            throw Failure(description: "connect to port \(port): errno \(errno)")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent: Int
            do {
                sent = try SystemCall.retrying("send") {
                    bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
            } catch {
                throw Failure(description: "send: errno \(error.errno)")
            }
            offset += sent
        }
    }

    /// Everything the server sends until it closes the connection.
    public func readUntilClosed() throws -> String {
        try read { _ in false }
    }

    /// What the server sent, once `isComplete` accepts it or the server closed the connection.
    public func read(until isComplete: (String) -> Bool) throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count: Int
            do {
                count = try SystemCall.retrying("recv") { buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            } catch {
                if error.errno == ECONNRESET { break }
                throw Failure(description: "recv after \(received.count) bytes: errno \(error.errno)")
            }
            if count == 0 { break }
            received.append(contentsOf: buffer[0..<count])
            if isComplete(String(decoding: received, as: UTF8.self)) { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
