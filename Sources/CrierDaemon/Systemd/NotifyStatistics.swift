import Foundation

/// Thread-safe counters for `SystemdNotifier`: how many datagrams went out, how many failed, and
/// the last failure's errno. Failures are never thrown — sd_notify must not take the daemon down —
/// but they are countable so `crier status` or a log line can surface them.
final class NotifyStatistics: @unchecked Sendable {
    // All stored state is guarded by `lock`.
    private let lock = NSLock()
    private var sent = 0
    private var failed = 0
    private var lastErrno: Int32 = 0

    func recordSent() {
        lock.lock(); defer { lock.unlock() }
        sent += 1
    }

    func recordFailure(errno code: Int32) {
        lock.lock(); defer { lock.unlock() }
        failed += 1
        lastErrno = code
    }

    var snapshot: (sent: Int, failed: Int, lastErrno: Int32) {
        lock.lock(); defer { lock.unlock() }
        return (sent, failed, lastErrno)
    }
}
