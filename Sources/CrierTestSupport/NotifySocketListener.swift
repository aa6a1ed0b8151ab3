import Foundation
import Glibc

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`: collects what the daemon sends.
/// `name` starting with `@` binds an abstract socket.
public final class NotifySocketListener: @unchecked Sendable {
    // Confinement: `store` guards its own state; `fd` is immutable.
    private final class Store: @unchecked Sendable {
        let lock = NSLock()
        var received: [String] = []
        func append(_ message: String) {
            lock.lock()
            received.append(message)
            lock.unlock()
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return received
        }
    }

    private let fd: Int32
    private let store = Store()
    private let thread: Thread
    /// The value to put in `NOTIFY_SOCKET`.
    public let address: String

    public init(name: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        self.fd = fd
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if name.hasPrefix("@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (name.hasPrefix("@") ? 0 : 1))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.address = name
        let descriptor = fd
        let store = self.store
        thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !Thread.current.isCancelled {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count > 0 { store.append(String(decoding: buffer.prefix(count), as: UTF8.self)) }
            }
        }
        thread.start()
    }

    public var messages: [String] { store.all }

    public func stop() {
        thread.cancel()
        usleep(150_000)
        close(fd)
    }
}
