import ArgumentParser
import CrierCore
import CrierCurl
import CrierDaemon
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and that every referenced secret is present; list every problem.",
        discussion: """
            Every problem of the file and of each secret is listed at once, sorted by line, with warnings \
            beside them (an inline secret; a secret file others can read); then the queue directory (exists, \
            is a directory, writable) and, with `store: postgres`, the database. Exit status 1 if there is any problem.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also make one cheap, read-only authenticated call per channel (never a post) and say whether it works.")
    var online = false

    func run() throws {
        let path = global.configPath
        switch ConfigLoader().load(path: path) {
        case .failure(let failure):
            print(Self.lines(problems: failure.problems, warnings: failure.warnings, path: path).joined(separator: "\n"))
            throw UserFacingFailure("\(failure.problems.count) problem\(failure.problems.count == 1 ? "" : "s") in \(path)")
        case .success(let loaded):
            for line in Self.lines(problems: [], warnings: loaded.warnings, path: path) { print(line) }
            let config = loaded.runtime.config
            let layout = global.layout(config: config)
            var problems: [String] = []
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: layout.root, isDirectory: &isDirectory) {
                if !isDirectory.boolValue {
                    problems.append("queue \(layout.root) is not a directory; point `queue:` (or --queue) at a directory")
                } else {
                    if access(layout.root, W_OK) != 0 { problems.append("queue \(layout.root) is not writable by this user") }
                    if access(layout.root, X_OK) != 0 { problems.append("queue \(layout.root) cannot be entered") }
                }
            } else {
                print("note: queue \(layout.root) does not exist yet; `crier run` creates it")
            }
            for problem in problems { print("\(layout.root): \(problem)") }
            if let problem = Self.storeProblem(layout) {
                print(problem)
                problems.append(problem)
            }
            if !problems.isEmpty { throw UserFacingFailure("\(problems.count) problem(s)") }
            let count = config.channels.count
            if online { try checkOnline(loaded.runtime, layout: layout) }
            print("\(path): OK — \(count) channel\(count == 1 ? "" : "s") (\(config.channelNames.joined(separator: ", "))), "
                  + "queue \(layout.root), time zone \(TimeZoneName.of(config.timeZone))")
        }
    }

    /// With `store: postgres`: connects, and checks the schema is the one this crier uses (else says
    /// to run `crier migrate`, or to upgrade crier).
    static func storeProblem(_ layout: QueueLayout) -> String? {
        guard let connector = layout.store.connector else { return nil }
        do {
            let connection = try connector.connect()
            try PostgresMigrator.requireCurrent(connection)
            print("store: \(connector.displayURL): connected, schema version \(PostgresSchema.current), node \(layout.store.node)")
            return nil
        } catch {
            return "store: \(connector.displayURL): \(error)"
        }
    }

    /// `--online`: every channel's probe, one line each; a failing one is a problem.
    private func checkOnline(_ runtime: RuntimeConfig, layout: QueueLayout) throws {
        let delivery = runtime.config.delivery
        let transport = CurlTransport(options: TransportOptions(connectTimeout: delivery.connectTimeout, totalTimeout: delivery.timeout,
                                                                maxConcurrentTransfers: 4))
        defer { transport.shutdown(graceSeconds: 0) }
        let journal = layout.journalExists ? try? JournalStore.open(layout) : nil
        let reports = OnlineCheck.run(runtime, transport: transport, journal: journal, timeout: delivery.timeout + 5)
        for report in reports {
            print("channel \(report.channel): \(report.ok ? "ok" : "problem"): \(report.message)")
        }
        let failing = reports.filter { !$0.ok }.count
        if failing > 0 { throw UserFacingFailure("\(failing) channel\(failing == 1 ? "" : "s") failed the online check") }
    }

    /// Problems and warnings in the order of the file, each `PATH:LINE: field: message`.
    static func lines(problems: [FieldProblem], warnings: [FieldProblem], path: String) -> [String] {
        let all = (problems.map { ($0, false) } + warnings.map { ($0, true) })
        let ordered = all.enumerated().sorted { left, right in
            let (a, b) = (left.element.0.line ?? Int.max, right.element.0.line ?? Int.max)
            return a != b ? a < b : left.offset < right.offset
        }
        return ordered.map { entry in
            let (problem, isWarning) = entry.element
            let place = problem.line.map { "\(path):\($0)" } ?? path
            let field = problem.field.isEmpty ? "" : "\(problem.field): "
            return "\(place): \(isWarning ? "warning: " : "")\(field)\(problem.message)"
        }
    }
}
