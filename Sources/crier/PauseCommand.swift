import ArgumentParser
import CrierDaemon
import Foundation

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop sending everywhere, or on the named channels; survives restarts.",
        discussion: "A running daemon stops within a second. `touch QUEUE/PAUSE` (its text the reason) is the drop-a-file kill switch.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Channels to pause (default: everything).")
    var channels: [String] = []

    @Option(help: "Why: shown by `crier status` and in the logs.")
    var reason: String?

    func run() throws {
        let config = global.configWithoutSecrets()
        if let config {
            for channel in channels where config.channel(named: channel) == nil {
                throw UserFacingFailure("unknown channel '\(channel)'; configured channels: \(config.channelNames.joined(separator: ", "))")
            }
        }
        do {
            let scopes = try PauseCommands.pause(channels: channels, reason: reason, layout: global.layout(config: config))
            print("paused \(scopes == ["*"] ? "everything" : scopes.joined(separator: ", "))\(reason.map { ": \($0)" } ?? "")")
        } catch {
            throw UserFacingFailure(error.message)
        }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume sending (everything, or the named channels), under the normal throttles: no burst.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Channels to resume (default: every pause, and QUEUE/PAUSE).")
    var channels: [String] = []

    func run() throws {
        do {
            let lifted = try PauseCommands.resume(channels: channels, layout: global.layout(config: global.configWithoutSecrets()))
            print(lifted.isEmpty ? "nothing was paused" : "resumed \(lifted.map { $0 == "*" ? "everything" : $0 }.joined(separator: ", "))")
        } catch {
            throw UserFacingFailure(error.message)
        }
    }
}
