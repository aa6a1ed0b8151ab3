import Dispatch
import Foundation

/// The one timer the engine arms to its earliest due delivery. A protocol so tests can drive the
/// engine with a manual clock; the daemon uses `DispatchWakeupTimer`.
public protocol WakeupTimer: AnyObject, Sendable {
    /// Fires the handler at `date` (at once if it is past); nil disarms. Re-arming replaces.
    func arm(at date: Date?)
    func setHandler(_ handler: @escaping @Sendable () -> Void)
    func cancel()
}

/// A `DispatchSourceTimer` on the engine's queue, armed to a wall-clock deadline: no polling.
public final class DispatchWakeupTimer: WakeupTimer, @unchecked Sendable {
    // Confinement: used only on `queue` (the engine's), which is also the timer's target queue.
    private let timer: DispatchSourceTimer
    private var armedAt: Date?

    public init(queue: DispatchQueue) {
        timer = DispatchSource.makeTimerSource(flags: [.strict], queue: queue)
        timer.schedule(wallDeadline: .distantFuture)
        timer.resume()
    }

    public func setHandler(_ handler: @escaping @Sendable () -> Void) {
        timer.setEventHandler { [weak self] in
            self?.armedAt = nil
            handler()
        }
    }

    public func arm(at date: Date?) {
        guard date != armedAt else { return }
        armedAt = date
        guard let date else {
            timer.schedule(wallDeadline: .distantFuture)
            return
        }
        let delay = max(0, date.timeIntervalSinceNow)
        timer.schedule(wallDeadline: .now() + delay, leeway: .milliseconds(1))
    }

    public func cancel() {
        timer.cancel()
    }
}
