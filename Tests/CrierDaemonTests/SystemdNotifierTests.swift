import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
@testable import CrierDaemon

/// A datagram socket the test owns, standing in for systemd's notify socket.
private final class DatagramSink {
    let fd: Int32
    /// The value to put into `NOTIFY_SOCKET`.
    let notifySocket: String
    private let directory: URL?

    /// A filesystem socket in a fresh temporary directory.
    static func path() throws -> DatagramSink {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("crier-notify-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try DatagramSink(notifySocket: directory.appendingPathComponent("notify").path, directory: directory)
    }

    /// A Linux abstract socket (`@name`).
    static func abstract() throws -> DatagramSink {
        try DatagramSink(notifySocket: "@crier-test-\(UUID().uuidString)", directory: nil)
    }

    private init(notifySocket: String, directory: URL?) throws {
        self.notifySocket = notifySocket
        self.directory = directory
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(notifySocket.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        // Abstract names are length-delimited: no trailing NUL, or the name would differ.
        let length = socklen_t(offset + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let code = errno
            // `deinit` runs for an initializer that throws once every property is set: it closes.
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        // Never hang the test run if a datagram does not arrive.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        inode = Self.inode(of: fd)
    }

    /// The socket's inode when it was made: `fd` still names this socket while `inode(of: fd)`
    /// equals it (a descriptor closed by someone else and handed out again names another file).
    private(set) var inode: UInt = 0

    static func inode(of fd: Int32) -> UInt {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt(info.st_ino) : 0
    }

    /// Whether `fd` still is this socket, for failure messages.
    var descriptorState: String {
        let now = Self.inode(of: fd)
        if now == inode { return "fd \(fd) is still the sink's socket" }
        return "fd \(fd) is no longer the sink's socket (inode \(inode), now \(now == 0 ? "closed" : "\(now)")): "
            + "something else in this process closed it"
    }

    /// Closed already (`closeNow`): `deinit` must not close the number again, which by then may be
    /// another test's socket (tests run in parallel in one process).
    private var closed = false

    /// Closes the socket now (the reader goes away), once.
    func closeNow() {
        guard !closed else { return }
        closed = true
        close(fd)
    }

    deinit {
        if !closed { close(fd) }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// The next datagram's exact bytes.
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return Array(buffer[..<count])
    }

    func receiveString() throws -> String {
        String(decoding: try receive(), as: UTF8.self)
    }
}

@Suite("SystemdNotifier")
struct SystemdNotifierTests {
    @Test("nil without a usable NOTIFY_SOCKET")
    func nilWithoutSocket() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/notify"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@"]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/systemd/notify"]) != nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@/org/freedesktop/systemd1/notify"]) != nil)
    }

    @Test("abstract addresses: '@' becomes NUL, no trailing NUL in the length")
    func abstractAddressLayout() throws {
        let address = try #require(NotifySocketAddress("@abc"))
        #expect(address.isAbstract)
        #expect(address.pathBytes == [0, 0x61, 0x62, 0x63])
        #expect(Int(address.sockaddrLength) == NotifySocketAddress.sunPathOffset + 4)

        let path = try #require(NotifySocketAddress("/run/n"))
        #expect(!path.isAbstract)
        #expect(path.pathBytes == Array("/run/n".utf8))
        #expect(Int(path.sockaddrLength) == NotifySocketAddress.sunPathOffset + 6 + 1)
    }

    @Test("every message arrives byte for byte on a filesystem socket")
    func filesystemSocket() throws {
        let sink = try DatagramSink.path()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket]))
        try expectAllMessages(notifier, sink)
    }

    @Test("every message arrives byte for byte on an abstract socket")
    func abstractSocket() throws {
        let sink = try DatagramSink.abstract()
        #expect(sink.notifySocket.hasPrefix("@"))
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket]))
        try expectAllMessages(notifier, sink)
    }

    private func expectAllMessages(_ notifier: SystemdNotifier, _ sink: DatagramSink) throws {
        #expect(notifier.ready())
        #expect(try sink.receive() == Array("READY=1".utf8))

        #expect(notifier.stopping())
        #expect(try sink.receive() == Array("STOPPING=1".utf8))

        #expect(notifier.watchdog())
        #expect(try sink.receive() == Array("WATCHDOG=1".utf8))

        #expect(notifier.status("3 pending, next: mastodon 09:00"))
        #expect(try sink.receive() == Array("STATUS=3 pending, next: mastodon 09:00".utf8))

        #expect(notifier.status("line one\nREADY=1\r\nend\r"))
        #expect(try sink.receiveString() == "STATUS=line one READY=1 end ")

        #expect(notifier.status("Grüße ✓"))
        #expect(try sink.receive() == Array("STATUS=Grüße ✓".utf8))

        #expect(notifier.send("FDSTORE=0\nCUSTOM=x"))
        #expect(try sink.receive() == Array("FDSTORE=0\nCUSTOM=x".utf8))

        #expect(notifier.extendTimeout(seconds: 2.5))
        #expect(try sink.receiveString() == "EXTEND_TIMEOUT_USEC=2500000")

        let before = SystemdNotifier.monotonicMicroseconds()
        #expect(notifier.reloading())
        let after = SystemdNotifier.monotonicMicroseconds()
        let reloading = try sink.receiveString()
        let lines = reloading.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let stamp = try #require(lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(stamp >= before && stamp <= after)

        #expect(notifier.sentCount == 9)
        #expect(notifier.failureCount == 0)
        #expect(notifier.lastErrno == 0)
    }

    @Test("the monotonic stamp is CLOCK_MONOTONIC in microseconds")
    func monotonicClock() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let reference = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        let measured = SystemdNotifier.monotonicMicroseconds()
        #expect(measured >= reference && measured - reference < 5_000_000)
    }

    @Test("send errors are swallowed and counted")
    func failuresAreCounted() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("crier-notify-missing-\(UUID().uuidString.prefix(8))")
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": directory.path + "/notify"]))
        #expect(notifier.ready() == false)
        #expect(notifier.watchdog() == false)
        #expect(notifier.failureCount == 2)
        #expect(notifier.sentCount == 0)
        #expect(notifier.lastErrno == ENOENT)

        // A socket path that exists but has no reader behind it any more.
        let sink = try DatagramSink.path()
        let stale = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket]))
        sink.closeNow()
        #expect(stale.ready() == false)
        #expect(stale.failureCount == 1)
        #expect(stale.lastErrno == ECONNREFUSED)
    }

    @Test("concurrent senders: every datagram arrives, counters stay exact")
    func concurrentSends() throws {
        let sink = try DatagramSink.path()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": sink.notifySocket]))
        let count = 50
        // Senders and drain on threads of their own. An AF_UNIX datagram queue holds only
        // net.unix.max_dgram_qlen (often 10) messages, as a busy systemd would, so the drain must run
        // while they send. Neither may wait for Swift's cooperative pool (two threads here): other
        // suites' tests that block their thread for seconds can hold it longer than any deadline —
        // the drain then gave up before the first sender ran (0 received, 11 sent, 39 refused).
        let fd = sink.fd
        let drained = DispatchSemaphore(value: 0)
        let received = Mutex<[String]>([])
        let stoppedBy = Mutex<Int32>(0)
        let sendersDone = Atomic<Bool>(false)
        let drain = Thread {
            var messages: [String] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            // A generous bound for a stuck test; normally it ends with the last message.
            let deadline = Date().addingTimeInterval(120)
            while messages.count < count, Date() < deadline {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    // Nothing for the socket's 5 s receive timeout: done if the senders are.
                    if sendersDone.load(ordering: .acquiring) { break }
                    continue
                }
                if n < 0 {
                    let code = errno
                    stoppedBy.withLock { $0 = code }
                    break
                }
                messages.append(String(decoding: buffer[..<n], as: UTF8.self))
            }
            received.withLock { $0 = messages }
            drained.signal()
        }
        drain.start()
        let senders = DispatchGroup()
        for first in stride(from: 0, to: count, by: 5) {
            senders.enter()
            Thread {
                for index in first..<(first + 5) { notifier.status("tick \(index)") }
                senders.leave()
            }.start()
        }
        senders.wait()
        sendersDone.store(true, ordering: .releasing)
        drained.wait()
        // The drain reads `fd`, not `sink`: `sink` (whose `deinit` closes the socket) must live
        // until the drain is done.
        withExtendedLifetime(sink) {}
        let messages = received.withLock { $0 }
        let state = "the drain stopped with errno \(stoppedBy.withLock { $0 }); \(sink.descriptorState); "
            + "the notifier's last send error: errno \(notifier.lastErrno)"
        #expect(messages.count == count, "\(state)")
        #expect(Set(messages) == Set((0..<count).map { "STATUS=tick \($0)" }))
        #expect(notifier.sentCount == count)
        #expect(notifier.failureCount == 0)
    }

    @Test("watchdogInterval is half of WATCHDOG_USEC, for this process only")
    func watchdogInterval() throws {
        let socket = ["NOTIFY_SOCKET": "/run/systemd/notify"]
        let me = getpid()

        let plain = try #require(SystemdNotifier(environment: socket.merging(["WATCHDOG_USEC": "30000000"]) { $1 }))
        #expect(plain.watchdogInterval == 15.0)

        let mine = try #require(SystemdNotifier(environment: socket.merging(
            ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(me)"]) { $1 }))
        #expect(mine.watchdogInterval == 15.0)

        let other = try #require(SystemdNotifier(environment: socket.merging(
            ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(me + 1)"]) { $1 }))
        #expect(other.watchdogInterval == nil)

        #expect(SystemdNotifier(environment: socket)?.watchdogInterval == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "soon"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "-5"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "x"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "1000000", "WATCHDOG_PID": ""]) == 0.5)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "1"]) == 0.0000005)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "42"], pid: 42) == 10.0)
        #expect(SystemdNotifier(environment: socket.merging(
            ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "42"]) { $1 }, pid: 42)?.watchdogInterval == 10.0)
    }
}
