import Glibc

/// The socket system calls the server makes, each retried on EINTR. Return values follow the C
/// calls (-1 with `errno` set on failure).
enum SocketCall {
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        retryingEINTR { Glibc.read(fd, buffer, count) }
    }

    /// `send` with MSG_NOSIGNAL: a peer that went away yields EPIPE, not SIGPIPE.
    static func send(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        retryingEINTR { Glibc.send(fd, buffer, count, Int32(MSG_NOSIGNAL)) }
    }

    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        retryingEINTR { Glibc.write(fd, buffer, count) }
    }

    /// A non-blocking, close-on-exec connection socket, and the peer address into `address`.
    static func accept(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr_storage>) -> Int32 {
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let connection = Int32(retryingEINTR {
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { Int(Glibc.accept(fd, $0, &length)) }
        })
        guard connection >= 0 else { return connection }
        // accept4 (which sets both flags atomically) is not visible to Swift's Glibc module.
        guard fcntl(connection, F_SETFD, FD_CLOEXEC) == 0, fcntl(connection, F_SETFL, O_NONBLOCK) == 0 else {
            let code = errno
            close(connection)
            errno = code
            return -1
        }
        return connection
    }

    static func poll(_ fds: UnsafeMutablePointer<pollfd>, _ count: Int, _ timeoutMilliseconds: Int32) -> Int32 {
        Int32(retryingEINTR { Int(Glibc.poll(fds, nfds_t(count), timeoutMilliseconds)) })
    }

    static func shutdownWrites(_ fd: Int32) {
        _ = retryingEINTR { Int(Glibc.shutdown(fd, Int32(SHUT_WR))) }
    }

    /// Not retried: on Linux `close` releases the descriptor even when interrupted, and a retry could
    /// close a descriptor another thread has just been given.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32) -> Int32 {
        var value = value
        return Int32(retryingEINTR {
            Int(setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size)))
        })
    }

    private static func retryingEINTR(_ call: () -> Int) -> Int {
        while true {
            let result = call()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }
}
