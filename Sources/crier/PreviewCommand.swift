import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation
import Glibc

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show what would be sent, where and when — computed by the daemon's own pipeline; sends nothing.",
        discussion: """
            Without PATH: every pending post in the queue, in the order and at the times the daemon would send \
            them. With PATH: those files, planned as if dropped now (e.g. a pull request's new posts). Exit status \
            1 if any post has an error, or if the config or (without PATH) the queue is missing. Secrets are never read: \
            --requests shows each part's first request with <redacted> where a secret goes. The JSON shape is \
            described in docs/formats.md (installed: /usr/share/doc/crier/docs/formats.md.gz).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Post files to plan (default: the queue's pending posts).")
    var paths: [String] = []

    @Option(help: "Plan as if it were this time (ISO 8601, or 'YYYY-MM-DD HH:MM' in the configured time zone).")
    var now: String?

    @Flag(help: "Print JSON (described in docs/formats.md).")
    var json = false

    @Flag(help: "Also show each part's first request: step, method, URL, headers and body (secrets as <redacted>).")
    var requests = false

    func validate() throws {
        if let now { try TimeOption.validate(now, option: "--now") }
    }

    func run() throws {
        let config = try global.requireConfigWithoutSecrets()
        var instant = Date()
        if let now {
            guard let parsed = TimeParser.parse(now, timeZone: config.timeZone) else {
                throw UserFacingFailure(TimeOption.problem(now, option: "--now"))
            }
            instant = parsed
        }
        var planner = PreviewPlanner(config: config, layout: global.layout(config: config))
        planner.includeRequests = requests
        if !paths.isEmpty, planner.queueIsMissing {
            FileHandle.standardError.write(Data("crier: note: queue \(planner.layout.root) does not exist; planning without its history\n".utf8))
        }
        let report: PreviewReport
        do {
            report = try planner.plan(paths: paths, now: instant)
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
