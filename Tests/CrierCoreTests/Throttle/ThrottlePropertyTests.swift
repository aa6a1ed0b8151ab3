import CrierTestSupport
import Foundation
import Testing
@testable import CrierCore

/// Simulates a channel sending as fast as its limits allow and checks that no rule is ever broken.
@Suite struct ThrottlePropertyTests {
    typealias F = ThrottleFixtures

    static let zones = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Australia/Lord_Howe"]

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func twoThousandSendsNeverBreakALimit(seed: UInt64) {
        var random = FastRandom(seed: seed)
        let spans: [TimeInterval] = [1, 60, 600, 3_600, 10_800, 86_400]
        let windows = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            RateWindow(count: Int.random(in: 1...20, using: &random), seconds: spans.randomElement(using: &random)!)
        }
        let quiet: QuietHours? = Bool.random(using: &random)
            ? QuietHours(startMinute: Int.random(in: 0..<1_440, using: &random) / 15 * 15,
                         endMinute: Int.random(in: 0..<1_440, using: &random) / 15 * 15)
            : nil
        let limits = ChannelLimits(windows: windows, minGap: Bool.random(using: &random) ? Double.random(in: 0...900, using: &random) : 0,
                                   jitter: Bool.random(using: &random) ? 90 : 0, quiet: quiet)
        let zone = TimeZone(identifier: Self.zones.randomElement(using: &random)!)!

        var history: [Date] = []
        var clock = F.date("2026-01-01T00:00:00Z")
        for index in 0..<2_000 {
            // The engine asks at a "now" that moves on, sometimes before the last send (a restart, a backlog).
            switch Int.random(in: 0..<20, using: &random) {
            case 0: clock.addTimeInterval(-Double.random(in: 0...600, using: &random))
            case 1...5: clock.addTimeInterval(Double.random(in: 0...3_600, using: &random))
            default: clock.addTimeInterval(Double.random(in: 0...60, using: &random))
            }
            let notBefore: Date? = Int.random(in: 0..<10, using: &random) == 0
                ? clock.addingTimeInterval(Double.random(in: 0...1_800, using: &random)) : nil
            let planned = ThrottlePlanner.plan(candidate: clock, jitterKey: "post-\(index)/channel/1", history: history,
                                               limits: limits, notBefore: notBefore, timeZone: zone)
            #expect(planned >= clock)
            if let notBefore { #expect(planned >= notBefore) }
            history.append(planned)
            clock = max(clock, planned)
        }

        var failures: [String] = []
        for (earlier, later) in zip(history, history.dropFirst()) {
            if later < earlier { failures.append("out of order at \(later)") }
            if later.timeIntervalSince(earlier) < limits.minGap { failures.append("gap \(later.timeIntervalSince(earlier)) at \(later)") }
        }
        for window in windows where history.count > window.count {
            for index in 0..<(history.count - window.count) {
                let span = history[index + window.count].timeIntervalSince(history[index])
                if span < window.seconds { failures.append("\(window.count + 1) sends in \(span)s for \(window)") }
            }
        }
        if let quiet {
            let start = Double(quiet.startMinute * 60), end = Double(quiet.endMinute * 60)
            for send in history {
                let second = F.wallSecondOfDay(send, zone)
                let inQuiet = start < end ? (second >= start && second < end) : (second >= start || second < end)
                if inQuiet { failures.append("\(send) is in quiet hours \(quiet) in \(zone.identifier)") }
            }
        }
        #expect(failures.isEmpty, "seed \(seed), \(limits), \(zone.identifier): \(failures.prefix(5))")
        #expect(history.count == 2_000)
    }
}
