import Synchronization

/// Counts completions and lets a test wait (generously) for a number of them.
final class RequestCounter: Sendable {
    private let count = Mutex(0)

    func increment() {
        count.withLock { $0 += 1 }
    }

    func wait(for expected: Int, timeoutSeconds: Double = 20) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeoutSeconds)
        while count.withLock({ $0 }) < expected {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
        return true
    }
}
