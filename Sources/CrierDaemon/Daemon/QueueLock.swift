import Foundation
import Glibc

/// An exclusive lock on `queue/.crier/lock`, so two daemons never drive one queue (which would send
/// posts twice). Held for the life of the process; the kernel releases it if the process dies.
public final class QueueLock: @unchecked Sendable {
    // Confinement: immutable after init.
    private let fd: Int32

    public init(layout: QueueLayout) throws(DaemonError) {
        let path = layout.state + "/lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DaemonError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(descriptor, &buffer, buffer.count)
            let holder = count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            close(descriptor)
            throw DaemonError("another crier daemon (pid \(holder)) is already running on \(layout.root); stop it first")
        }
        let pid = "\(getpid())\n"
        ftruncate(descriptor, 0)
        _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        fd = descriptor
    }

    deinit {
        close(fd)
    }
}
