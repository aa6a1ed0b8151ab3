import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation
import Glibc

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show what would be sent, where and when — computed by the daemon's own pipeline; sends nothing.",
        discussion: "Without PATH: every pending post in the queue, in the order and at the times the daemon would send them. With PATH: those files, planned as if dropped now (e.g. a pull request's new posts). Exit status 1 if any post has an error.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Post files to plan (default: the queue's pending posts).")
    var paths: [String] = []

    @Option(help: "Plan as if it were this time (ISO 8601, or 'YYYY-MM-DD HH:MM' in the configured time zone).")
    var now: String?

    @Flag(help: "Print JSON (the shape in SPEC.md).")
    var json = false

    func run() throws {
        guard let config = global.configWithoutSecrets() else {
            switch ConfigLoader().load(path: global.configPath) {
            case .failure(let failure): throw UserFacingFailure("the config has problems:\n\(failure)")
            case .success: throw UserFacingFailure("cannot read \(global.configPath)")
            }
        }
        var instant = Date()
        if let now {
            guard let parsed = TimeParser.parse(now, timeZone: config.timeZone) else {
                throw ValidationError("--now '\(now)' is not a time; write ISO 8601 like 2026-11-22T09:00:00+01:00")
            }
            instant = parsed
        }
        let report: PreviewReport
        do {
            report = try PreviewPlanner(config: config, layout: global.layout(config: config)).plan(paths: paths, now: instant)
        } catch {
            throw UserFacingFailure(error.message)
        }
        if json {
            FileHandle.standardOutput.write(PreviewJSON.encode(report))
        } else {
            let environment = ProcessInfo.processInfo.environment
            let color = isatty(1) == 1 && environment["NO_COLOR"].map(\.isEmpty) ?? true && environment["TERM"] != "dumb"
            FileHandle.standardOutput.write(Data(PreviewTimeline.render(report, timeZone: config.timeZone, now: instant, color: color).utf8))
        }
        if report.hasErrors { throw ExitCode(1) }
    }
}
