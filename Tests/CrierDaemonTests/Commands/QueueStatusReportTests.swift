import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

@Suite struct QueueStatusReportTests {
    @Test func aPausedChannelIsNotReportedAsNothingPausedAndTimesAreISO8601() throws {
        let directory = TemporaryDirectory()
        let layout = QueueLayout(root: directory.path + "/queue")
        try layout.create()
        let at = Date(timeIntervalSince1970: 1_795_334_400)
        _ = try PauseCommands.pause(channels: ["ops"], reason: "account under review", layout: layout, now: at)
        let report = try QueueStatusReport.gather(layout: layout)
        #expect(!report.paused)
        #expect(report.pausedChannels == ["ops"])
        #expect(report.lines.contains("paused    ops (other channels send)"))
        #expect(!report.lines.contains("paused    no"))
        #expect(report.lines.contains { $0.hasPrefix("  ops paused by ") && $0.hasSuffix(" at 2026-11-22T08:00:00.000Z: account under review") })

        let json = try JSONSerialization.jsonObject(with: report.json()) as! [String: Any]
        let pause = try #require((json["pauses"] as? [[String: Any]])?.first)
        #expect(pause["paused_at"] as? String == "2026-11-22T08:00:00.000Z")
        #expect(json["paused_channels"] as? [String] == ["ops"])
        #expect(json["paused"] as? Bool == false)
    }

    @Test func everythingPausedSaysSoWithTheFilesReason() throws {
        let directory = TemporaryDirectory()
        let layout = QueueLayout(root: directory.path + "/queue")
        try layout.create()
        directory.write("incident 4711\n", to: "queue/PAUSE")
        let report = try QueueStatusReport.gather(layout: layout)
        #expect(report.paused)
        #expect(report.lines.contains("paused    everything (queue/PAUSE: incident 4711)"))
    }

    @Test func thePauserIsTheUidsNameWhenUserIsEmpty() {
        let name = CommandActor.current(environment: ["USER": "", "SUDO_USER": ""])
        let expected = getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(getuid())"
        #expect(name == expected)
        #expect(name != "unknown" && !name.isEmpty)
        #expect(CommandActor.current(environment: ["SUDO_USER": "alice", "USER": "root"]) == "alice")
    }

    @Test func tokensShowExpiryAndRefreshabilityButNeverAValueAndWarnAWeekAhead() throws {
        let directory = TemporaryDirectory()
        let layout = QueueLayout(root: directory.path + "/queue")
        try layout.create()
        let journal = try JournalStore.open(layout)
        let soon = Date().addingTimeInterval(3 * 86_400 + 600)
        try journal.commitNow([
            .storeSession(channel: "li", ChannelSession(values: ["access_token": "AQX-secret-value"], expiresAt: soon)),
            .storeSession(channel: "x", ChannelSession(values: ["access_token": "at-secret", "refresh_token": "rt-secret"],
                                                       expiresAt: Date().addingTimeInterval(3600))),
        ])
        let report = try QueueStatusReport.gather(layout: layout)
        #expect(report.tokens.map(\.channel) == ["li", "x"])
        #expect(report.tokens.map(\.refreshable) == [false, true])
        #expect(report.lines.contains { $0.hasPrefix("token     li: expires ") && $0.hasSuffix(", not refreshable") })
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("the token of channel 'li' expires at ") ?? false)
        #expect(report.warnings.first?.contains("in 3 days) and cannot be refreshed: run `crier auth li` before then") ?? false)
        let everything = report.lines.joined(separator: "\n") + String(decoding: try report.json(), as: UTF8.self)
        #expect(!everything.contains("secret"))
    }
}
