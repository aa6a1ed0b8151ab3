import Foundation
import Testing
@testable import CrierCore

@Suite struct WeeklySlotsTests {
    typealias F = ThrottleFixtures

    func slots(_ entries: [String]) throws -> WeeklySlots { try WeeklySlots.parse(entries).get() }

    func error(_ entries: [String]) -> SlotParseError? {
        if case .failure(let error) = WeeklySlots.parse(entries) { return error }
        return nil
    }

    @Test func parsesDayForms() throws {
        let nine = 9 * 60
        #expect(try slots(["mon-fri 09:00"]).times == [[nine], [nine], [nine], [nine], [nine], [], []])
        #expect(try slots(["daily 12:30"]).times == Array(repeating: [750], count: 7))
        #expect(try slots(["mon,wed,fri 08:15"]).times == [[495], [], [495], [], [495], [], []])
        #expect(try slots(["sat 11:00", "sun 02:30"]).times == [[], [], [], [], [], [660], [150]])
        #expect(try slots(["fri-mon 10:00"]).times == [[600], [], [], [], [600], [600], [600]])
        #expect(try slots(["Monday 9:00", "MON 09:00", "mon-tue,thu 07:05"]).times == [[425, 540], [425], [], [425], [], [], []])
        #expect(try slots(["weekdays 08:00", "weekends 10:00"]).times == [[480], [480], [480], [480], [480], [600], [600]])
        #expect(try slots([]).isEmpty)
    }

    @Test func errorsNameTheBadEntry() throws {
        let typo = try #require(error(["sat 11:00", "mon-fry 09:00"]))
        #expect(typo.entry == "mon-fry 09:00")
        #expect(typo.index == 1)
        #expect(typo.description.contains("mon-fry 09:00"))
        #expect(typo.description.contains("'fry' is not a day"))

        let time = try #require(error(["mon 25:00"]))
        #expect(time.description == "slot 'mon 25:00': '25:00' is not a time of day; use HH:MM from 00:00 to 23:59")
        #expect(error(["09:00"])?.reason.contains("expected days and a time") == true)
        #expect(error(["mon"])?.entry == "mon")
        #expect(error(["mon 09:00 extra"])?.entry == "mon 09:00 extra")
        #expect(error(["mon,,tue 09:00"])?.entry == "mon,,tue 09:00")
        #expect(error(["mon-tue-wed 09:00"])?.description.contains("'mon-tue-wed'") == true)
        #expect(error(["mon 9h"])?.description.contains("'9h'") == true)
    }

    @Test func slotsAreStrictlyAfterAndInOrder() throws {
        let schedule = try slots(["mon-fri 09:00", "mon-fri 13:30", "sat 11:00"])
        // Friday 2026-01-16 09:00 in Berlin (UTC+1) is 08:00Z; that slot itself is not "after".
        let found = schedule.slots(after: F.date("2026-01-16T08:00:00Z"), timeZone: F.berlin, limit: 4)
        #expect(found == [F.date("2026-01-16T12:30:00Z"), F.date("2026-01-17T10:00:00Z"),
                          F.date("2026-01-19T08:00:00Z"), F.date("2026-01-19T12:30:00Z")])
        #expect(schedule.next(after: F.date("2026-01-16T07:59:59Z"), timeZone: F.berlin) == F.date("2026-01-16T08:00:00Z"))
        // The same schedule in New York (UTC-5).
        #expect(schedule.next(after: F.date("2026-01-16T08:00:00Z"), timeZone: F.newYork) == F.date("2026-01-16T14:00:00Z"))
        #expect(schedule.slots(after: F.date("2026-01-16T08:00:00Z"), timeZone: F.berlin, limit: 0).isEmpty)
        #expect(WeeklySlots.none.slots(after: F.date("2026-01-16T08:00:00Z"), timeZone: F.berlin, limit: 5).isEmpty)
        #expect(WeeklySlots.none.next(after: F.date("2026-01-16T08:00:00Z"), timeZone: F.berlin) == nil)
    }

    @Test func berlinSpringGapFiresOnceAfterTheGap() throws {
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z). 02:30 does not exist.
        let schedule = try slots(["sun 02:30"])
        let found = schedule.slots(after: F.date("2026-03-28T12:00:00Z"), timeZone: F.berlin, limit: 2)
        #expect(found == [F.date("2026-03-29T01:00:00Z"), F.date("2026-04-05T00:30:00Z")])
        // A slot in the gap and one at 03:00 land on the same instant: once.
        let both = try slots(["sun 02:30", "sun 03:00"])
        #expect(both.slots(after: F.date("2026-03-28T12:00:00Z"), timeZone: F.berlin, limit: 3)
                == [F.date("2026-03-29T01:00:00Z"), F.date("2026-04-05T00:30:00Z"), F.date("2026-04-05T01:00:00Z")])
    }

    @Test func berlinAutumnRepeatFiresOnceAtFirstOccurrence() throws {
        // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 is 00:30Z and again 01:30Z.
        let schedule = try slots(["sun 02:30"])
        #expect(schedule.slots(after: F.date("2026-10-24T12:00:00Z"), timeZone: F.berlin, limit: 2)
                == [F.date("2026-10-25T00:30:00Z"), F.date("2026-11-01T01:30:00Z")])
        // Between the two occurrences, the next slot is a week later, not the repeat.
        #expect(schedule.next(after: F.date("2026-10-25T00:45:00Z"), timeZone: F.berlin) == F.date("2026-11-01T01:30:00Z"))
    }

    @Test func newYorkSpringGapFiresOnceAfterTheGap() throws {
        // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
        let schedule = try slots(["sun 02:30"])
        #expect(schedule.slots(after: F.date("2026-03-07T12:00:00Z"), timeZone: F.newYork, limit: 3)
                == [F.date("2026-03-08T07:00:00Z"), F.date("2026-03-15T06:30:00Z"), F.date("2026-03-22T06:30:00Z")])
        // The week before, 02:30 EST is 07:30Z.
        #expect(schedule.next(after: F.date("2026-03-01T00:00:00Z"), timeZone: F.newYork) == F.date("2026-03-01T07:30:00Z"))
    }

    @Test func newYorkAutumnRepeatFiresOnceAtFirstOccurrence() throws {
        // 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 is 05:30Z (EDT) and again 06:30Z (EST).
        let schedule = try slots(["sun 01:30"])
        #expect(schedule.slots(after: F.date("2026-10-31T12:00:00Z"), timeZone: F.newYork, limit: 2)
                == [F.date("2026-11-01T05:30:00Z"), F.date("2026-11-08T06:30:00Z")])
        #expect(schedule.next(after: F.date("2026-11-01T05:45:00Z"), timeZone: F.newYork) == F.date("2026-11-08T06:30:00Z"))
        #expect(schedule.next(after: F.date("2026-11-01T05:30:00Z"), timeZone: F.newYork) == F.date("2026-11-08T06:30:00Z"))
    }

    @Test func dailySlotKeepsItsWallTimeAcrossDST() throws {
        let schedule = try slots(["daily 09:00"])
        #expect(schedule.slots(after: F.date("2026-03-07T00:00:00Z"), timeZone: F.newYork, limit: 3)
                == [F.date("2026-03-07T14:00:00Z"), F.date("2026-03-08T13:00:00Z"), F.date("2026-03-09T13:00:00Z")])
        #expect(schedule.slots(after: F.date("2026-10-24T00:00:00Z"), timeZone: F.berlin, limit: 3)
                == [F.date("2026-10-24T07:00:00Z"), F.date("2026-10-25T08:00:00Z"), F.date("2026-10-26T08:00:00Z")])
    }

    @Test func everySlotOfAYearIsOnItsWallTime() throws {
        let schedule = try slots(["mon-fri 09:00", "sat 11:00", "sun 02:30"])
        for zone in [F.berlin, F.newYork] {
            let found = schedule.slots(after: F.date("2026-01-01T00:00:00Z"), timeZone: zone, limit: 7 * 52)
            #expect(found.count == 7 * 52)
            #expect(zip(found, found.dropFirst()).allSatisfy { $0 < $1 })
            let gapSlots = found.filter { F.wallSecondOfDay($0, zone) == 3 * 3_600 }
            #expect(gapSlots.count == 1, "exactly one 02:30 slot moved to 03:00 in \(zone.identifier)")
            #expect(found.allSatisfy { [9 * 3_600, 11 * 3_600, 9_000, 3 * 3_600].contains(F.wallSecondOfDay($0, zone)) })
        }
    }
}
