import Foundation
import Testing
@testable import CrierCore

@Suite struct ThrottlePlannerTests {
    typealias F = ThrottleFixtures
    let t0 = F.date("2026-01-15T10:00:00Z")

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    func earliest(_ candidate: Date, _ history: [Date], _ limits: ChannelLimits, notBefore: Date? = nil,
                  zone: TimeZone = ThrottleFixtures.utc) -> Date {
        ThrottlePlanner.earliestAllowed(candidate: candidate, history: history, limits: limits, notBefore: notBefore, timeZone: zone)
    }

    @Test func unlimitedSendsAtTheCandidate() {
        #expect(earliest(at(5), [at(0), at(1), at(2)], .unlimited) == at(5))
        #expect(earliest(at(5), [], .unlimited) == at(5))
    }

    @Test func perMinuteWaitsExactlyUntilTheOldestLeaves() {
        let limits = ChannelLimits(windows: [.perMinute(10)])
        let ten = (0..<10).map { at(TimeInterval($0)) }
        #expect(earliest(at(10), ten, limits) == at(60))
        #expect(earliest(at(59.999), ten, limits) == at(60))
        #expect(earliest(at(75), ten, limits) == at(75))
        #expect(earliest(at(10), Array(ten.prefix(9)), limits) == at(10))
        // The 12th waits for the second oldest.
        #expect(earliest(at(60), ten.dropFirst() + [at(60)], limits) == at(61))
    }

    @Test func perHourAndPerDay() {
        let hourly = ChannelLimits(windows: [.perHour(3)])
        #expect(earliest(at(1_300), [at(0), at(600), at(1_200)], hourly) == at(3_600))
        let daily = ChannelLimits(windows: [.perDay(2)])
        #expect(earliest(at(100), [at(0), at(50)], daily) == at(86_400))
        #expect(earliest(at(100), [at(-90_000), at(50)], daily) == at(100), "a send older than the window does not count")
    }

    @Test func mastodonBudgetOf300InThreeHours() {
        let limits = PlatformDescriptor.of(.mastodon).limits
        var history = (0..<300).map { at(TimeInterval($0 * 10)) } // 300 sends in 2,990 s
        #expect(earliest(at(3_000), history, limits) == at(10_800))
        history.append(at(10_800))
        #expect(earliest(at(10_800), history, limits) == at(10_810))
    }

    @Test func allWindowsHoldAtOnce() {
        let limits = ChannelLimits(windows: [.perMinute(2), .perHour(3)])
        let history = [at(0), at(10), at(70)]
        // per minute allows 70+ at once (only one send in the last minute), per hour waits for at(0)+3600.
        #expect(earliest(at(80), history, limits) == at(3_600))
    }

    @Test func ignoresWindowsThatLimitNothing() {
        let limits = ChannelLimits(windows: [RateWindow(count: 0, seconds: 60), RateWindow(count: 1, seconds: 0)])
        #expect(earliest(at(1), [at(0)], limits) == at(1))
    }

    @Test func boundsSurviveFloatingPointRounding() {
        // 820000134.3642441 + 60.255069025739424 rounds down: subtracting back gives less than the span.
        let base = 820_000_134.3642441, span = 60.255069025739424
        #expect((base + span) - base < span)
        let last = Date(timeIntervalSinceReferenceDate: base)
        let window = ChannelLimits(windows: [RateWindow(count: 1, seconds: span)])
        #expect(earliest(last, [last], window).timeIntervalSince(last) >= span)
        let gap = ChannelLimits(minGap: span)
        #expect(earliest(last, [last], gap).timeIntervalSince(last) >= span)
    }

    @Test func minimumGapAfterTheLastSend() {
        let limits = ChannelLimits(minGap: 300)
        #expect(earliest(at(10), [at(-1_000), at(0)], limits) == at(300))
        #expect(earliest(at(400), [at(0)], limits) == at(400))
        #expect(earliest(at(10), [], limits) == at(10))
    }

    @Test func notBeforeIsAFloor() {
        #expect(earliest(at(10), [], .unlimited, notBefore: at(120)) == at(120))
        #expect(earliest(at(10), [], .unlimited, notBefore: at(5)) == at(10))
        let limits = ChannelLimits(windows: [.perMinute(1)])
        #expect(earliest(at(10), [at(0)], limits, notBefore: at(30)) == at(60))
        #expect(earliest(at(10), [at(0)], limits, notBefore: at(90)) == at(90))
    }

    @Test func neverBeforeTheLastSendAndHistoryMayBeUnsorted() {
        #expect(earliest(at(0), [at(100)], .unlimited) == at(100))
        let limits = ChannelLimits(windows: [.perMinute(2)])
        #expect(earliest(at(20), [at(10), at(0), at(-500)], limits) == at(60))
    }

    @Test func quietHoursInTheChannelsZone() {
        let limits = ChannelLimits(quiet: QuietHours.parse("23:00-07:00"))
        // 22:30Z is 23:30 in Berlin (quiet until 06:00Z) but 17:30 in New York.
        #expect(earliest(F.date("2026-01-15T22:30:00Z"), [], limits, zone: F.berlin) == F.date("2026-01-16T06:00:00Z"))
        #expect(earliest(F.date("2026-01-15T22:30:00Z"), [], limits, zone: F.newYork) == F.date("2026-01-15T22:30:00Z"))
    }

    @Test func aWindowThatPushesIntoQuietHoursWaitsForTheirEnd() {
        // Candidate 21:50 in Berlin (20:50Z). Two per 3 h after sends at 19:30Z and 20:10Z: the bound is
        // 22:30Z = 23:30 local, in quiet hours until 07:00 local (06:00Z). One per hour: 21:10Z, not quiet.
        let limits = ChannelLimits(windows: [RateWindow(count: 2, seconds: 3 * 3_600)], quiet: QuietHours.parse("23:00-07:00"))
        let history = [F.date("2026-01-15T19:30:00Z"), F.date("2026-01-15T20:10:00Z")]
        #expect(earliest(F.date("2026-01-15T20:50:00Z"), history, limits, zone: F.berlin) == F.date("2026-01-16T06:00:00Z"))
        let hourly = ChannelLimits(windows: [.perHour(1)], quiet: QuietHours.parse("23:00-07:00"))
        #expect(earliest(F.date("2026-01-15T20:50:00Z"), [F.date("2026-01-15T20:10:00Z")], hourly, zone: F.berlin)
                == F.date("2026-01-15T21:10:00Z"))
    }

    @Test func combinationTakesTheLatestBoundThenLeavesQuiet() {
        let limits = ChannelLimits(windows: [.perMinute(2), .perHour(5)], minGap: 90, quiet: QuietHours.parse("01:00-03:00"))
        let history = [at(-3_000), at(-2_000), at(-1_000), at(-100), at(0)]
        // per minute: at(-100)+60 = at(-40); per hour: at(-3000)+3600 = at(600); gap: at(90); notBefore at(200).
        #expect(earliest(at(0), history, limits, notBefore: at(200)) == at(600))
        // On the Berlin spring-forward day the gap pushes 00:59 CET into quiet 01:00-03:00, one real hour.
        let night = F.date("2026-03-28T23:59:30Z")
        #expect(earliest(night, [night.addingTimeInterval(-30)], limits, zone: F.berlin) == F.date("2026-03-29T01:00:00Z"))
        // On the New York fall-back day quiet 01:00-03:00 lasts three real hours.
        let autumn = F.date("2026-11-01T04:59:30Z")
        #expect(earliest(autumn, [autumn.addingTimeInterval(-30)], limits, zone: F.newYork) == F.date("2026-11-01T08:00:00Z"))
    }

    @Test func planAddsStableJitterAfterTheThrottle() {
        let limits = ChannelLimits(windows: [.perMinute(1)], jitter: 120, quiet: QuietHours.parse("23:00-07:00"))
        let key = "launch/mastodon/1"
        let offset = StableJitter.fraction(for: key) * 120
        let planned = ThrottlePlanner.plan(candidate: at(10), jitterKey: key, history: [at(0)], limits: limits,
                                           notBefore: nil, timeZone: F.utc)
        #expect(planned == at(60 + offset))
        #expect(planned == ThrottlePlanner.plan(candidate: at(10), jitterKey: key, history: [at(0)], limits: limits,
                                                notBefore: nil, timeZone: F.utc))
        // Jitter that would land in quiet hours moves to their end.
        let late = F.date("2026-01-15T22:59:59Z")
        #expect(ThrottlePlanner.plan(candidate: late, jitterKey: key, history: [], limits: limits, notBefore: nil, timeZone: F.utc)
                == F.date("2026-01-16T07:00:00Z"))
        // No jitter configured: plan is earliestAllowed.
        #expect(ThrottlePlanner.plan(candidate: at(10), jitterKey: key, history: [at(0)], limits: ChannelLimits(windows: [.perMinute(1)]),
                                     notBefore: nil, timeZone: F.utc) == at(60))
    }
}
