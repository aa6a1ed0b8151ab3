import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Logging
import Testing

@Suite struct QueueIntakeTests {
    /// One webhook channel `ops`, files read as soon as they are found.
    private func webhookOnlyConfig() throws -> CrierConfig {
        var config = try #require(ConfigParser.parse("""
            timezone: UTC
            channels:
              ops: { platform: webhook, url: "http://127.0.0.1:9/ops" }
            """).config)
        config.delivery.settleTime = 0
        return config
    }

    /// An intake of `directory`'s queue whose events go to `events`, on `queue`.
    private func intake(_ directory: TemporaryDirectory, config: CrierConfig, queue: DispatchQueue,
                        events: Recorded<IntakeEvent>) -> QueueIntake {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return QueueIntake(layout: QueueLayout(root: directory.path + "/queue"), queue: queue, config: config, logger: logger) {
            for event in $0 { events.append(event) }
        }
    }
    /// A scan reads a large queue in chunks, each parsed on all cores: every file still gives exactly
    /// one event, in name order, valid and broken files alike, and an unchanged file is not read again.
    @Test func aScanOfALargeQueueReportsEveryFileOnceInNameOrder() throws {
        let directory = TemporaryDirectory()
        let config = try webhookOnlyConfig()
        var expected: [String] = []
        for index in 0..<700 {
            let name = String(format: "p%04d.md", index)
            // Every seventh file names a channel that does not exist; every eleventh is not YAML.
            let front = index % 11 == 0 ? "channels: [ops" : index % 7 == 0 ? "channels: [nowhere]" : "channels: [ops]"
            directory.write("---\n\(front)\n---\nPost \(index).\n", to: "queue/\(name)")
            expected.append(name)
        }
        let events = Recorded<IntakeEvent>()
        let queue = DispatchQueue(label: "test.intake")
        let intake = intake(directory, config: config, queue: queue, events: events)
        queue.sync { intake.rescan() }

        var names: [String] = []
        var invalid: [String] = []
        for event in events.all {
            switch event {
            case .post(let parsed):
                names.append(parsed.name)
                #expect(parsed.post.body == "Post \(Int(parsed.name.dropFirst().prefix(4))!).")
            case .invalid(let name, _):
                names.append(name)
                invalid.append(name)
            default:
                break
            }
        }
        #expect(names == expected)
        #expect(invalid == expected.enumerated().filter { $0.offset % 11 == 0 || $0.offset % 7 == 0 }.map(\.element))

        let before = events.all.count
        queue.sync { intake.rescan() }
        let again = events.all.dropFirst(before)
        #expect(!again.contains { if case .post = $0 { return true }; if case .invalid = $0 { return true }; return false },
                "unchanged files are not read again")
    }

    /// A scan reads a new file without an `lstat` first: one that has not settled is still left
    /// until it has, and one that cannot be read as a regular file (a symlink, a directory) is
    /// rejected with the same reason as the checked way gives.
    @Test func aScanReadsNewFilesUncheckedButOnlyOnceSettled() throws {
        let directory = TemporaryDirectory()
        var config = try webhookOnlyConfig()
        config.delivery.settleTime = 0.5
        let old = Date().addingTimeInterval(-3600)
        for name in ["a.md", "b.md"] {
            directory.write("---\nchannels: [ops]\n---\nPost \(name).\n", to: "queue/\(name)")
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: directory.path + "/queue/\(name)")
        }
        directory.write("---\nchannels: [ops]\n---\nFresh.\n", to: "queue/fresh.md")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/queue/link.md", withDestinationPath: directory.path + "/queue/a.md")
        try FileManager.default.createDirectory(atPath: directory.path + "/queue/folder.md", withIntermediateDirectories: false)
        let events = Recorded<IntakeEvent>()
        let queue = DispatchQueue(label: "test.intake")
        let intake = intake(directory, config: config, queue: queue, events: events)
        queue.sync { intake.rescan() }

        func reported() -> [String: IntakeEvent] {
            var byName: [String: IntakeEvent] = [:]
            for event in events.all {
                switch event {
                case .post(let parsed): byName[parsed.name] = event
                case .invalid(let name, _): byName[name] = event
                default: break
                }
            }
            return byName
        }
        #expect(Set(reported().keys) == ["a.md", "b.md"], "what was just made waits until it has settled")
        // The others are looked at again once settled (a recheck scheduled on the intake's queue).
        let deadline = Date().addingTimeInterval(30)
        while reported().count < 5, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let all = queue.sync { reported() }
        guard case .post(let fresh)? = all["fresh.md"] else {
            Issue.record("the fresh file was not read: \(String(describing: all["fresh.md"]))")
            return
        }
        #expect(fresh.post.body == "Fresh.")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let checked = PostLoader(layout: QueueLayout(root: directory.path + "/queue"), preparer: nil, logger: logger)
        for name in ["link.md", "folder.md"] {
            guard case .invalid(_, let error)? = all[name], case .invalid(_, let expected)? = checked.load(name, config: config) else {
                Issue.record("\(name) was not rejected: \(String(describing: all[name]))")
                continue
            }
            #expect(error.description == expected.description)
        }
    }

    /// The periodic safety net behind inotify: nothing at all while the directory is unchanged; when
    /// it changed, the new file is read and the vanished one reported, and no known file is read again.
    @Test func thePeriodicRescanReadsOnlyWhatChangedInTheDirectory() throws {
        let directory = TemporaryDirectory()
        let config = try webhookOnlyConfig()
        for name in ["a.md", "b.md"] { directory.write("---\nchannels: [ops]\n---\nPost \(name).\n", to: "queue/\(name)") }
        let events = Recorded<IntakeEvent>()
        let queue = DispatchQueue(label: "test.intake")
        let intake = intake(directory, config: config, queue: queue, events: events)
        queue.sync { intake.rescan() }
        let read = { events.all.compactMap { event -> String? in if case .post(let parsed) = event { return parsed.name }; return nil } }
        let gone = { events.all.compactMap { event -> String? in if case .gone(let name) = event { return name }; return nil } }
        #expect(read() == ["a.md", "b.md"])

        // A change within the clock tick of the listing might not show in the directory's mtime:
        // the rescan trusts an unchanged directory only from a listing made well after its last change.
        Thread.sleep(forTimeInterval: 0.3)
        queue.sync { intake.periodicRescan() }
        let quiet = events.all.count
        queue.sync { intake.periodicRescan() }
        #expect(events.all.count == quiet, "an unchanged directory costs no event")

        // Behind inotify's back: one file added, one removed.
        directory.write("---\nchannels: [ops]\n---\nPost c.md.\n", to: "queue/c.md")
        try FileManager.default.removeItem(atPath: directory.path + "/queue/a.md")
        queue.sync { intake.periodicRescan() }
        #expect(read() == ["a.md", "b.md", "c.md"], "only the new file is read")
        #expect(gone() == ["a.md"])
    }
}
