
import Foundation

/// A wakeup timer fired by hand, together with a `ManualWallClock`: the preview steps the engine
/// from one wake-up to the next with it, and tests walk through retry schedules without sleeping.
public final class ManualWakeupTimer: WakeupTimer, @unchecked Sendable {
    // Confinement: guarded by `lock`.
    private let lock = NSLock()
    private var handler: (@Sendable () -> Void)?
    private var armed: Date?

    public init() {}

    public var armedAt: Date? {
        lock.lock()
        defer { lock.unlock() }
        return armed
    }

    public func arm(at date: Date?) {
        lock.lock()
        armed = date
        lock.unlock()
    }

    public func setHandler(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        self.handler = handler
        lock.unlock()
    }

    public func cancel() {
        arm(at: nil)
    }

    /// Runs the handler (call on the engine's queue).
    public func fire() {
        lock.lock()
        let handler = self.handler
        armed = nil
        lock.unlock()
        handler?()
    }
}
