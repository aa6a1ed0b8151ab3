@testable import CrierCore
import Foundation
import Testing

/// `TimeParser.withOffset` (integer arithmetic, for times with `Z` or an offset) must give what the
/// calendar path gives, bit for bit, or leave the text to it.
@Suite struct TimeParserFastPathTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    private func agree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let parsed = TimeParser.parse(text, timeZone: berlin)
        let reference = TimeParser.withCalendar(text, timeZone: berlin)
        #expect(parsed?.timeIntervalSinceReferenceDate.bitPattern == reference?.timeIntervalSinceReferenceDate.bitPattern,
                "\(text): \(String(describing: parsed)) against \(String(describing: reference))", sourceLocation: sourceLocation)
        if let fast = TimeParser.withOffset(text) {
            #expect(fast.timeIntervalSinceReferenceDate.bitPattern == reference?.timeIntervalSinceReferenceDate.bitPattern,
                    "\(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func theFastPathTakesWhatGeneratedPostsCarry() {
        #expect(TimeParser.withOffset("2026-11-22T08:00:00.412Z") != nil)
        #expect(TimeParser.withOffset("2026-11-22T09:00:00+01:00") != nil)
        #expect(TimeParser.withOffset(" 2026-11-22 09:00-0430\t") != nil)
        // Wall-clock times, odd spacing, non-ASCII and early years are the calendar's.
        #expect(TimeParser.withOffset("2026-11-22 09:00") == nil)
        #expect(TimeParser.withOffset("2026-11-22T08:00:00 Z") == nil)
        #expect(TimeParser.withOffset("\u{00A0}2026-11-22T08:00:00Z") == nil)
        #expect(TimeParser.withOffset("1582-10-20T08:00:00Z") == nil)
    }

    @Test(arguments: [
        "2026-11-22T08:00:00Z", "2026-11-22t08:00:00z", "2026-11-22T08:00Z", "2026-11-22 08:00:00.5Z", "2026-11-22T08:00:00,25+02:00",
        "2024-02-29T23:59:59.999999999-05:00", "2023-02-29T10:00:00Z", "2026-04-31T10:00:00Z", "2026-11-22T08:00:60Z",
        "2026-11-22T08:00:61Z", "2026-11-22T24:00:00Z", "2026-11-22T08:60:00Z", "2026-00-10T08:00:00Z", "2026-11-00T08:00:00Z",
        "2026-11-22T08:00:00+18:00", "2026-11-22T08:00:00-18:00", "2026-11-22T08:00:00+17:59", "2026-11-22T08:00:00+19",
        "2026-11-22T08:00:00+0:1:00", "2026-11-22T08:00:00+1", "2026-11-22T08:00:00+123", "2026-11-22T08:00:00+12345",
        "2026-11-22T08:00:00+01:60", "2026-11-22T08:00:00.Z", "2026-11-22T08:00:00.1234567890123456Z", "2026-11-22T08:00:5Z",
        "2026-11-22T08:00:00ZZ", "2026-11-22T08:00:00+", "2026-11-22T08:00:00 +01:00", "2026-11-22T08:00:00+01:00 ", "\t2026-11-22T08:00Z",
        "1600-01-01T00:00:00Z", "1599-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "2026-11-22T08:00:00\r\nZ",
        "2026-11-22T08:00:00.000Z", "2026-11-22T08:00:00.0000001Z", "２026-11-22T08:00:00Z", "2026-11-22X08:00:00Z", "2026/11/22T08:00:00Z",
    ])
    func agreesWithTheCalendar(_ text: String) {
        agree(text)
    }

    @Test func agreesWithTheCalendarOnGeneratedTimes() {
        var random = SystemRandomNumberGenerator()
        for index in 0..<20_000 {
            let year = Int.random(in: 1590...2400, using: &random)
            let month = Int.random(in: 0...13, using: &random)
            let day = Int.random(in: 0...32, using: &random)
            let hour = Int.random(in: 0...24, using: &random)
            let minute = Int.random(in: 0...60, using: &random)
            let second = Int.random(in: 0...61, using: &random)
            let fraction = index % 4 == 0 ? "" : "." + String((0..<Int.random(in: 1...12, using: &random)).map { _ in "0123456789".randomElement(using: &random)! })
            let zone = switch index % 5 {
            case 0: "Z"
            case 1: String(format: "%@%02d:%02d", Bool.random(using: &random) ? "+" : "-", Int.random(in: 0...18, using: &random),
                           Int.random(in: 0...59, using: &random))
            case 2: String(format: "%@%02d%02d", Bool.random(using: &random) ? "+" : "-", Int.random(in: 0...14, using: &random), 30)
            case 3: String(format: "+%02d", Int.random(in: 0...19, using: &random))
            default: ""
            }
            let separator = ["T", " ", "t"].randomElement(using: &random)!
            agree(String(format: "%04d-%02d-%02d%@%02d:%02d:%02d", year, month, day, separator, hour, minute, second) + fraction + zone)
        }
    }
}
