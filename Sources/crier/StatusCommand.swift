import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Pending / sent / failed counts, next send per channel, pause state, deliveries of unknown outcome and recent failures.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let layout = global.layout(config: global.configWithoutSecrets())
        guard FileManager.default.fileExists(atPath: layout.root) else {
            throw UserFacingFailure("queue \(layout.root) does not exist; pass --queue DIR or set `queue:` in the config")
        }
        let report: QueueStatusReport
        do {
            report = try QueueStatusReport.gather(layout: layout)
        } catch {
            throw UserFacingFailure("cannot read the queue state: \(error)")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("queue     \(report.queue)")
        print("pending   \(report.pending)")
        print("sent      \(report.sent)")
        print("failed    \(report.failed)")
        print("cancelled \(report.cancelled)")
        print("rejected  \(report.rejected)")
        print("paused    \(report.paused ? "yes" + (report.pauseReason.map { " (queue/PAUSE): \($0)" } ?? "") : "no")")
        for pause in report.pauses {
            print("  \(pause.scope == "*" ? "everything" : pause.scope) paused by \(pause.pausedBy) at \(TimestampFormat.string(pause.pausedAt)): \(pause.reason)")
        }
        if !report.nextSend.isEmpty {
            print("next send")
            for (channel, at) in report.nextSend.sorted(by: { $0.key < $1.key }) { print("  \(channel)  \(at)") }
        }
        if !report.unknown.isEmpty {
            print("unknown (a request went out and no answer came back: look on the channel, then resolve)")
            for held in report.unknown {
                let state = held.resolving ? " [resolution recorded; the daemon applies it]" : ""
                print("  \(held.post) → \(held.channel) (part \(held.part)): \(held.error ?? "no answer")\(state)")
                print("    \(held.next)")
            }
        }
        if !report.recentFailures.isEmpty {
            print("recent failures")
            for failure in report.recentFailures {
                print("  \(failure.at ?? "-")  \(failure.post) → \(failure.channel) (part \(failure.part)) \(failure.status): \(failure.error ?? "")")
            }
        }
    }
}
