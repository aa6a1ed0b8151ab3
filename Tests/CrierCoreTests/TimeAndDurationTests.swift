import CrierCore
import Foundation
import Testing

@Suite struct TimeAndDurationTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test(arguments: [
        ("2026-11-22T09:00:00+01:00", 1_795_334_400.0),
        ("2026-11-22T08:00:00Z", 1_795_334_400.0),
        ("2026-11-22T08:00:00.500Z", 1_795_334_400.5),
        ("2026-11-22 09:00", 1_795_334_400.0),
        ("2026-11-22T09:00", 1_795_334_400.0),
        ("2026-07-01 09:00", 1_782_889_200.0),
        ("2026-11-22T03:30:00-0430", 1_795_334_400.0),
    ])
    func parsesTimes(_ text: String, _ expected: Double) {
        #expect(TimeParser.parse(text, timeZone: berlin)?.timeIntervalSince1970 == expected)
    }

    @Test(arguments: ["tomorrow", "2026-02-30 09:00", "2026-11-22", "2026-13-01 00:00", "2026-11-22T25:00", "2026-11-22T09:00+25:00"])
    func rejectsNonTimes(_ text: String) {
        #expect(TimeParser.parse(text, timeZone: berlin) == nil)
    }

    @Test(arguments: [("90s", 90.0), ("5m", 300.0), ("2h", 7200.0), ("1d", 86_400.0), ("1h30m", 5400.0), ("250ms", 0.25), ("45", 45.0)])
    func parsesDurations(_ text: String, _ seconds: Double) {
        #expect(DurationParser.seconds(text) == seconds)
    }

    @Test(arguments: ["", "h", "5x", "-5m", "5m3"])
    func rejectsNonDurations(_ text: String) {
        #expect(DurationParser.seconds(text) == nil)
    }

    @Test func formatsDurations() {
        #expect(DurationParser.format(5400) == "1h30m")
        #expect(DurationParser.format(0.25) == "250ms")
    }

    @Test func timestampsAreRFC3339UTCWithMilliseconds() {
        #expect(TimestampFormat.string(Date(timeIntervalSince1970: 1_795_334_400.412)) == "2026-11-22T08:00:00.412Z")
        // Against `strftime` and the milliseconds rounded down, over instants from 1970 to 9999.
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Double.random(in: 0..<253_402_300_800, using: &random).rounded(.down)
            let millis = Int.random(in: 0..<1000, using: &random)
            let date = Date(timeIntervalSince1970: seconds + Double(millis) / 1000 + 0.0001)
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            var text = [CChar](repeating: 0, count: 32)
            _ = strftime(&text, text.count, "%Y-%m-%dT%H:%M:%S", &parts)
            let expected = String(cString: text) + "." + String(String(1000 + millis).dropFirst()) + "Z"
            #expect(TimestampFormat.string(date) == expected)
        }
    }
}
