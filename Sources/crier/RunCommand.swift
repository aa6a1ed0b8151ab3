import ArgumentParser
import CrierDaemon
import Foundation
import Logging

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon: pick up posts from the queue and deliver them.",
        discussion: "SIGTERM/SIGINT: stop taking work, finish in-flight sends (up to delivery.drain_timeout), exit 0. SIGHUP: reload the config (an invalid one is refused and the running one kept).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Everything but the network: log each send it would make; send and record nothing.")
    var dryRun = false

    @Flag(help: "Deliver what is due now (waiting out retries due within a few seconds), then exit 0.")
    var once = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = ProcessInfo.processInfo.environment["CRIER_LOG_LEVEL"] ?? "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() throws {
        let logger = CrierLogging.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        let daemon = Daemon(configPath: global.configPath, queueOverride: global.queue,
                            options: EngineOptions(dryRun: dryRun, once: once, sendLead: dryRun ? 0 : EngineOptions.liveSendLead),
                            logger: logger)
        let status: Int32
        do {
            status = try daemon.run()
        } catch {
            throw UserFacingFailure(error.message)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
