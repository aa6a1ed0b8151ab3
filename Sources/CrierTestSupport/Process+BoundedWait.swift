import Foundation
import Glibc

extension Process {
    /// Waits up to `timeout` for the child to end and returns its exit status (nil: still running).
    ///
    /// `waitUntilExit()` can hang for good when Foundation misses a child's exit (seen with many
    /// children started and killed around it: the child stays a zombie while `isRunning` stays
    /// true). Foundation is left to reap the child; only when it has been a zombie for a second
    /// does this reap it with `waitpid` (then `terminationStatus` must not be read: use the result).
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        let pid = processIdentifier
        var zombieSince: Date?
        while isRunning {
            if Self.isZombie(pid) {
                let since = zombieSince ?? Date()
                zombieSince = since
                if Date().timeIntervalSince(since) > 1 {
                    var status: Int32 = 0
                    if waitpid(pid, &status, WNOHANG) == pid {
                        // The exit code, or 128 + the signal that ended it (as a shell reports it).
                        let signal = status & 0x7f
                        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
                    }
                }
            }
            guard Date() < deadline else { return nil }
            usleep(20_000)
        }
        return terminationStatus
    }

    /// Whether `/proc/PID/stat` says the process ended and waits to be reaped (state `Z`).
    private static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[close...].dropFirst().trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
