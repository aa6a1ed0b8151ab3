@testable import CrierDaemon
import Foundation
import Testing

@Suite struct WakeupTimerTests {
    final class Fired: @unchecked Sendable {
        private let lock = NSLock()
        private var times: [Date] = []
        func add(_ date: Date) { lock.lock(); times.append(date); lock.unlock() }
        var all: [Date] { lock.lock(); defer { lock.unlock() }; return times }
    }

    func timer() -> (DispatchWakeupTimer, DispatchQueue, Fired) {
        let queue = DispatchQueue(label: "test.timer")
        let timer = DispatchWakeupTimer(queue: queue)
        let fired = Fired()
        timer.setHandler { fired.add(Date()) }
        return (timer, queue, fired)
    }

    @Test func firesAtItsDeadlineNotBeforeAndOnlyOnce() {
        let (timer, queue, fired) = timer()
        let due = Date().addingTimeInterval(0.05)
        queue.sync { timer.arm(at: due) }
        Thread.sleep(forTimeInterval: 0.25)
        #expect(fired.all.count == 1)
        #expect(fired.all.allSatisfy { $0 >= due })
        timer.cancel()
    }

    @Test func aPastDeadlineFiresAtOnce() {
        let (timer, queue, fired) = timer()
        queue.sync { timer.arm(at: Date().addingTimeInterval(-10)) }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(fired.all.count == 1)
        timer.cancel()
    }

    @Test func disarmingKeepsTheHandlerFromRunningAndRearmingReplaces() {
        let (timer, queue, fired) = timer()
        queue.sync {
            timer.arm(at: Date().addingTimeInterval(0.05))
            timer.arm(at: nil)
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(fired.all.isEmpty)
        let later = Date().addingTimeInterval(0.15)
        queue.sync {
            timer.arm(at: Date().addingTimeInterval(0.05))
            timer.arm(at: later)
        }
        Thread.sleep(forTimeInterval: 0.35)
        #expect(fired.all.count == 1)
        #expect(fired.all.allSatisfy { $0 >= later })
        timer.cancel()
    }

    @Test func wallTimeKeepsTheDueInstantToTheMicrosecond() {
        let date = Date(timeIntervalSince1970: 1_800_000_000.999_999_6)
        var spec = timespec()
        // DispatchWallTime has no public accessor: compare through the distance to a known wall time.
        let fromDate = DispatchWakeupTimer.wallTime(date)
        spec = timespec(tv_sec: 1_800_000_001, tv_nsec: 0)
        #expect(fromDate < DispatchWallTime(timespec: spec))
        spec = timespec(tv_sec: 1_800_000_000, tv_nsec: 999_998_000)
        #expect(fromDate > DispatchWallTime(timespec: spec))
    }
}
