#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `sd_notify(3)` without libsystemd: tells the service manager about the daemon's state by
/// sending AF_UNIX datagrams to `$NOTIFY_SOCKET`.
///
/// ```swift
/// let notifier = SystemdNotifier(environment: ProcessInfo.processInfo.environment)
/// notifier?.ready()                                   // once the journal is open and the schedule restored
/// if let every = notifier?.watchdogInterval { … }     // send notifier.watchdog() at this period
/// notifier?.reloading(); …; notifier?.ready()        // around a SIGHUP reload
/// notifier?.stopping()                                // when SIGTERM starts the drain
/// ```
///
/// * `init?(environment:)` returns nil when `NOTIFY_SOCKET` is unset or empty (not started by
///   systemd, or `Type=simple`) or names an address we cannot use, so callers write `notifier?.x()`.
/// * Every send opens a fresh `SOCK_DGRAM | SOCK_CLOEXEC` socket, like libsystemd, so the type holds
///   no file descriptor, needs no locking and is safe to call from any thread or task.
/// * Nothing here throws or traps: a failed send returns `false` and is counted in `failureCount` /
///   `lastErrno`. Syscalls are retried on `EINTR`; a full receive queue (`EAGAIN`) is retried briefly
///   and then given up, so a wedged service manager can never block the daemon.
/// * The environment is left untouched (crier starts no children that could inherit it).
public final class SystemdNotifier: Sendable {
    /// `$NOTIFY_SOCKET` exactly as found in the environment.
    public let socketPath: String

    /// How often to call `watchdog()`: half of `$WATCHDOG_USEC`, in seconds, as `sd_watchdog_enabled(3)`
    /// recommends. Nil when no watchdog is configured or `$WATCHDOG_PID` names another process.
    public let watchdogInterval: Double?

    let address: NotifySocketAddress
    let statistics = NotifyStatistics()

    /// How many times a datagram is re-tried when the receiver's queue is full, 10 ms apart.
    static let maxAgainRetries = 10

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    public convenience init?(environment: [String: String]) {
        self.init(environment: environment, pid: getpid())
    }

    /// As `init?(environment:)`, with the process id the watchdog variables are compared against.
    init?(environment: [String: String], pid: pid_t) {
        guard let socket = environment["NOTIFY_SOCKET"], !socket.isEmpty,
              let address = NotifySocketAddress(socket)
        else { return nil }
        self.socketPath = socket
        self.address = address
        self.watchdogInterval = Self.watchdogInterval(environment: environment, pid: pid)
    }

    /// Half of `$WATCHDOG_USEC` in seconds, or nil when it is unset, unparseable or zero, or when
    /// `$WATCHDOG_PID` is set and is not `pid` (the variables were meant for another process).
    public static func watchdogInterval(environment: [String: String], pid: pid_t = getpid()) -> Double? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let watchdogPID = pid_t(pidText), watchdogPID == pid else { return nil }
        }
        return Double(usec) / 2_000_000
    }

    // MARK: - Messages

    /// `READY=1`: startup finished (and, after `reloading()`, the reload finished).
    @discardableResult
    public func ready() -> Bool { send("READY=1") }

    /// `RELOADING=1` plus `MONOTONIC_USEC=`, as `Type=notify-reload` expects. Follow with `ready()`.
    @discardableResult
    public func reloading() -> Bool {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// `STOPPING=1`: shutdown (the drain) has begun.
    @discardableResult
    public func stopping() -> Bool { send("STOPPING=1") }

    /// `STATUS=line`, shown by `systemctl status`. CR and LF become spaces: the protocol is one
    /// assignment per line, and a stray newline must not smuggle in e.g. `READY=1`.
    @discardableResult
    public func status(_ line: String) -> Bool {
        let flat = String(line.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        return send("STATUS=\(flat)")
    }

    /// `WATCHDOG=1`: the keep-alive ping; send it every `watchdogInterval` seconds.
    @discardableResult
    public func watchdog() -> Bool { send("WATCHDOG=1") }

    /// `EXTEND_TIMEOUT_USEC=`: asks for `seconds` more before the start/stop timeout fires.
    @discardableResult
    public func extendTimeout(seconds: Double) -> Bool {
        send("EXTEND_TIMEOUT_USEC=\(UInt64(max(0, seconds) * 1_000_000))")
    }

    /// Sends `raw` as one datagram, unchanged. Returns false (and counts the failure) if it could
    /// not be delivered; never throws.
    @discardableResult
    public func send(_ raw: String) -> Bool {
        let error = deliver(Array(raw.utf8))
        if error == 0 {
            statistics.recordSent()
            return true
        }
        statistics.recordFailure(errno: error)
        return false
    }

    // MARK: - Statistics

    /// Datagrams delivered so far.
    public var sentCount: Int { statistics.snapshot.sent }

    /// Sends that failed so far (errors are swallowed, not thrown).
    public var failureCount: Int { statistics.snapshot.failed }

    /// `errno` of the most recent failed send, 0 if none failed.
    public var lastErrno: Int32 { statistics.snapshot.lastErrno }

    // MARK: - Plumbing

    /// CLOCK_MONOTONIC in microseconds (the clock systemd uses for `MONOTONIC_USEC`).
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// One datagram to `address`; returns 0 or the errno of the failure.
    private func deliver(_ bytes: [UInt8]) -> Int32 {
        #if canImport(Glibc)
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_DGRAM | SOCK_CLOEXEC
        #endif
        let fd: Int32
        do {
            fd = try SystemCall.retrying("socket") { socket(AF_UNIX, type, 0) }
        } catch {
            return error.errno
        }
        // close(2) is deliberately not retried on EINTR: Linux releases the descriptor even then,
        // and a retry could close a descriptor another thread has just been given.
        defer { _ = close(fd) }

        var target = address.makeSockaddr()
        let length = address.sockaddrLength
        // MSG_NOSIGNAL: never SIGPIPE. MSG_DONTWAIT: never block on a full receive queue.
        let flags = Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
        var againRetries = 0
        while true {
            do {
                let sent = try SystemCall.retrying("sendto") {
                    bytes.withUnsafeBytes { buffer in
                        withUnsafePointer(to: &target) { pointer in
                            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                                sendto(fd, buffer.baseAddress, buffer.count, flags, generic, length)
                            }
                        }
                    }
                }
                return sent == bytes.count ? 0 : EMSGSIZE
            } catch {
                guard error.errno == EAGAIN || error.errno == EWOULDBLOCK, againRetries < Self.maxAgainRetries else {
                    return error.errno
                }
                againRetries += 1
                var pause = timespec(tv_sec: 0, tv_nsec: 10_000_000)
                var remaining = timespec()
                // An interrupted pause goes on with what is left of it.
                _ = try? SystemCall.retrying("nanosleep") {
                    defer { pause = remaining }
                    return nanosleep(&pause, &remaining)
                }
            }
        }
    }
}
