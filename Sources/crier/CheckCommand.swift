import ArgumentParser
import CrierCore
import CrierDaemon
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the config and that every referenced secret is present; list every problem.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let path = global.configPath
        switch ConfigLoader().load(path: path) {
        case .failure(let failure):
            print(failure.description)
            throw UserFacingFailure("\(failure.problems.count) problem\(failure.problems.count == 1 ? "" : "s") in \(path)")
        case .success(let loaded):
            for warning in loaded.warnings {
                let place = warning.line.map { "\(path):\($0)" } ?? path
                print("\(place): warning: \(warning.field): \(warning.message)")
            }
            let config = loaded.runtime.config
            let layout = global.layout(config: config)
            var problems: [String] = []
            if let signature = try? FileOperations.signature(layout.root) {
                if access(layout.root, W_OK) != 0 { problems.append("queue \(layout.root) is not writable by this user") }
                if !signature.isRegularFile, access(layout.root, X_OK) != 0 { problems.append("queue \(layout.root) cannot be entered") }
            } else {
                print("note: queue \(layout.root) does not exist yet; `crier run` creates it")
            }
            for problem in problems { print("\(layout.root): \(problem)") }
            if !problems.isEmpty { throw UserFacingFailure("\(problems.count) problem(s)") }
            print("\(path): OK — \(config.channels.count) channel\(config.channels.count == 1 ? "" : "s") (\(config.channelNames.joined(separator: ", "))), queue \(layout.root), time zone \(config.timeZone.identifier == "GMT" ? "UTC" : config.timeZone.identifier)")
        }
    }
}
