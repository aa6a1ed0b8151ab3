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
///
/// Punctual: the deadline is the due `Date` itself as a `DispatchWallTime` (no detour through
/// "now + delay"), the source is `.strict` and has no leeway — a leeway of 1 ms let Dispatch fire up to
/// a millisecond late, which was most of crier's p99 timer lateness. Disarming does not reprogram
/// Dispatch (each reprogramming is a trip through Dispatch's timer manager); the source keeps its
/// old deadline, and a wake-up while disarmed is dropped here, so the handler never sees it.
public final class DispatchWakeupTimer: WakeupTimer, @unchecked Sendable {
    // Confinement: used only on `queue` (the engine's), which is also the timer's target queue.
    private let timer: DispatchSourceTimer
    /// What the engine asked for (nil: nothing).
    private var armedAt: Date?
    /// The deadline Dispatch has now (nil: none, or it already fired).
    private var programmedAt: Date?

    public init(queue: DispatchQueue) {
        timer = DispatchSource.makeTimerSource(flags: [.strict], queue: queue)
        timer.schedule(wallDeadline: .distantFuture)
        timer.resume()
    }

    public func setHandler(_ handler: @escaping @Sendable () -> Void) {
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.programmedAt = nil
            guard self.armedAt != nil else { return } // disarmed since it was programmed
            self.armedAt = nil
            handler()
        }
    }

    public func arm(at date: Date?) {
        armedAt = date
        guard let date, date != programmedAt else { return }
        programmedAt = date
        timer.schedule(wallDeadline: Self.wallTime(date), repeating: .never, leeway: .nanoseconds(0))
    }

    public func cancel() {
        timer.cancel()
    }

    /// `date` on Dispatch's wall clock (CLOCK_REALTIME), to the nanosecond.
    static func wallTime(_ date: Date) -> DispatchWallTime {
        let seconds = date.timeIntervalSince1970
        guard seconds > 0 else { return .now() }
        var whole = seconds.rounded(.down)
        var nanoseconds = ((seconds - whole) * 1e9).rounded()
        if nanoseconds >= 1e9 { whole += 1; nanoseconds -= 1e9 }
        return DispatchWallTime(timespec: timespec(tv_sec: Int(whole), tv_nsec: Int(nanoseconds)))
    }
}
