import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Pending / sent / failed counts, next send per channel, pause state, deliveries of unknown outcome and recent failures.",
        discussion: "The JSON shape is described in docs/formats.md (installed: /usr/share/doc/crier/docs/formats.md.gz).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print JSON (described in docs/formats.md).")
    var json = false

    func run() throws {
        let layout = global.layout(config: global.configWithoutSecrets())
        guard FileManager.default.fileExists(atPath: layout.root) else {
            throw UserFacingFailure("queue \(layout.root) does not exist; pass --queue DIR or set `queue:` in the config")
        }
        var report: QueueStatusReport
        do {
            report = try QueueStatusReport.gather(layout: layout)
            report.commandOptions = global.explicitOptions
        } catch {
            throw UserFacingFailure("cannot read the queue state: \(error)")
        }
        if json {
            FileHandle.standardOutput.write(try report.json() + Data("\n".utf8))
            return
        }
        for line in report.lines { print(line) }
    }
}
