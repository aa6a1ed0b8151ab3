import Foundation
import Testing
@testable import CrierCore

@Suite struct QuietHoursTests {
    typealias F = ThrottleFixtures

    func quiet(_ text: String) -> QuietHours { QuietHours.parse(text)! }

    @Test func parsesRangesAndRejectsMalformedOnes() {
        #expect(quiet("23:00-07:00").startMinute == 23 * 60)
        #expect(quiet("23:00-07:00").endMinute == 7 * 60)
        #expect(quiet("23:00-07:00").crossesMidnight)
        #expect(!quiet("12:00-13:00").crossesMidnight)
        #expect(quiet(" 9:30 - 10:15 ").description == "09:30-10:15")
        #expect(quiet("22:00-24:00").endMinute == 0)
        for bad in ["", "07:00", "25:00-07:00", "12:60-13:00", "07:00-07:00", "00:00-24:00", "7-8", "ab:cd-ef:gh",
                    "12:00-13:00-14:00", "24:00-07:00", "1200-1300"] {
            #expect(QuietHours.parse(bad) == nil, "\(bad) should be rejected")
        }
    }

    @Test func crossingMidnightInTheChannelsZone() {
        let hours = quiet("23:00-07:00")
        // Berlin in January is UTC+1.
        #expect(hours.firstAllowed(atOrAfter: F.date("2026-01-15T21:59:00Z"), timeZone: F.berlin) == F.date("2026-01-15T21:59:00Z"))
        #expect(hours.firstAllowed(atOrAfter: F.date("2026-01-15T22:00:00Z"), timeZone: F.berlin) == F.date("2026-01-16T06:00:00Z"))
        #expect(hours.firstAllowed(atOrAfter: F.date("2026-01-15T22:30:00Z"), timeZone: F.berlin) == F.date("2026-01-16T06:00:00Z"))
        #expect(hours.firstAllowed(atOrAfter: F.date("2026-01-16T05:00:00Z"), timeZone: F.berlin) == F.date("2026-01-16T06:00:00Z"))
        #expect(hours.firstAllowed(atOrAfter: F.date("2026-01-16T06:00:00Z"), timeZone: F.berlin) == F.date("2026-01-16T06:00:00Z"))
        // The same instant is not quiet in New York (17:30 local).
        #expect(hours.firstAllowed(atOrAfter: F.date("2026-01-15T22:30:00Z"), timeZone: F.newYork) == F.date("2026-01-15T22:30:00Z"))
        #expect(hours.contains(F.date("2026-01-16T04:00:00Z"), timeZone: F.newYork))
        #expect(hours.firstAllowed(atOrAfter: F.date("2026-01-16T04:00:00Z"), timeZone: F.newYork) == F.date("2026-01-16T12:00:00Z"))
    }

    @Test func sameDayRange() {
        let lunch = quiet("12:00-13:00")
        #expect(lunch.firstAllowed(atOrAfter: F.date("2026-01-15T17:30:00Z"), timeZone: F.newYork) == F.date("2026-01-15T18:00:00Z"))
        #expect(lunch.firstAllowed(atOrAfter: F.date("2026-01-15T16:59:59Z"), timeZone: F.newYork) == F.date("2026-01-15T16:59:59Z"))
        #expect(!lunch.contains(F.date("2026-01-15T18:00:00Z"), timeZone: F.newYork))
        #expect(lunch.contains(F.date("2026-01-15T17:00:00Z"), timeZone: F.newYork))
    }

    @Test func berlinSpringForward() {
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z).
        let night = quiet("01:00-03:00")
        #expect(night.firstAllowed(atOrAfter: F.date("2026-03-28T23:59:59Z"), timeZone: F.berlin) == F.date("2026-03-28T23:59:59Z"))
        #expect(night.firstAllowed(atOrAfter: F.date("2026-03-29T00:00:00Z"), timeZone: F.berlin) == F.date("2026-03-29T01:00:00Z"))
        #expect(night.firstAllowed(atOrAfter: F.date("2026-03-29T00:59:59Z"), timeZone: F.berlin) == F.date("2026-03-29T01:00:00Z"))
        // The end falls in the gap: quiet ends at the first instant after it.
        let intoGap = quiet("01:00-02:30")
        #expect(intoGap.firstAllowed(atOrAfter: F.date("2026-03-29T00:40:00Z"), timeZone: F.berlin) == F.date("2026-03-29T01:00:00Z"))
        // Quiet hours entirely inside the gap do not happen that day.
        let inGap = quiet("02:00-03:00")
        #expect(!inGap.contains(F.date("2026-03-29T00:59:59Z"), timeZone: F.berlin))
        #expect(!inGap.contains(F.date("2026-03-29T01:00:00Z"), timeZone: F.berlin))
    }

    @Test func berlinFallBack() {
        // 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:00-03:00 happens twice.
        let night = quiet("01:00-03:00")
        // 01:00 CEST is 23:00Z; 03:00 CET is 02:00Z: three real hours of quiet.
        #expect(night.firstAllowed(atOrAfter: F.date("2026-10-24T22:59:00Z"), timeZone: F.berlin) == F.date("2026-10-24T22:59:00Z"))
        #expect(night.firstAllowed(atOrAfter: F.date("2026-10-24T23:30:00Z"), timeZone: F.berlin) == F.date("2026-10-25T02:00:00Z"))
        #expect(night.firstAllowed(atOrAfter: F.date("2026-10-25T01:30:00Z"), timeZone: F.berlin) == F.date("2026-10-25T02:00:00Z"))
        // A range ending in the repeated hour is quiet on both passes of the wall clock.
        let repeated = quiet("02:00-02:30")
        #expect(repeated.firstAllowed(atOrAfter: F.date("2026-10-25T00:10:00Z"), timeZone: F.berlin) == F.date("2026-10-25T00:30:00Z"))
        #expect(repeated.firstAllowed(atOrAfter: F.date("2026-10-25T00:45:00Z"), timeZone: F.berlin) == F.date("2026-10-25T00:45:00Z"))
        #expect(repeated.firstAllowed(atOrAfter: F.date("2026-10-25T01:10:00Z"), timeZone: F.berlin) == F.date("2026-10-25T01:30:00Z"))
    }

    @Test func newYorkSpringForward() {
        // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
        let night = quiet("01:00-03:00")
        #expect(night.firstAllowed(atOrAfter: F.date("2026-03-08T05:59:00Z"), timeZone: F.newYork) == F.date("2026-03-08T05:59:00Z"))
        #expect(night.firstAllowed(atOrAfter: F.date("2026-03-08T06:30:00Z"), timeZone: F.newYork) == F.date("2026-03-08T07:00:00Z"))
        let intoGap = quiet("23:00-02:30")
        #expect(intoGap.firstAllowed(atOrAfter: F.date("2026-03-08T04:00:00Z"), timeZone: F.newYork) == F.date("2026-03-08T07:00:00Z"))
    }

    @Test func newYorkFallBack() {
        // 2026-11-01: 02:00 EDT goes back to 01:00 EST (06:00Z); 01:00-02:00 happens twice.
        let night = quiet("01:00-03:00")
        #expect(night.firstAllowed(atOrAfter: F.date("2026-11-01T05:10:00Z"), timeZone: F.newYork) == F.date("2026-11-01T08:00:00Z"))
        #expect(night.firstAllowed(atOrAfter: F.date("2026-11-01T06:30:00Z"), timeZone: F.newYork) == F.date("2026-11-01T08:00:00Z"))
        let short = quiet("01:00-01:30")
        #expect(short.firstAllowed(atOrAfter: F.date("2026-11-01T05:10:00Z"), timeZone: F.newYork) == F.date("2026-11-01T05:30:00Z"))
        #expect(short.firstAllowed(atOrAfter: F.date("2026-11-01T05:45:00Z"), timeZone: F.newYork) == F.date("2026-11-01T05:45:00Z"))
        #expect(short.firstAllowed(atOrAfter: F.date("2026-11-01T06:10:00Z"), timeZone: F.newYork) == F.date("2026-11-01T06:30:00Z"))
    }

    @Test func agreesWithCalendarAcrossAYear() {
        // Every 7 minutes through 2026 in both zones: the result is never quiet and never early.
        let hours = quiet("22:30-06:15")
        let start = F.date("2026-01-01T00:00:00Z")
        for zone in [F.berlin, F.newYork] {
            var instant = start
            while instant < F.date("2027-01-01T00:00:00Z") {
                let allowed = hours.firstAllowed(atOrAfter: instant, timeZone: zone)
                let second = F.wallSecondOfDay(allowed, zone)
                #expect(allowed >= instant)
                #expect(!(second >= 22.5 * 3_600 || second < 6.25 * 3_600), "\(allowed) is quiet in \(zone.identifier)")
                instant.addTimeInterval(7 * 60 * 11)
            }
        }
    }
}
