import ArgumentParser
import Foundation

/// `crier`: the root command. Each subcommand parses its flags and hands over to the library.
struct Crier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crier",
        abstract: "Cross-channel post scheduler: drop post files into a queue, crier delivers them.",
        version: "0.1.0",
        subcommands: [RunCommand.self, PreviewCommand.self, EnqueueCommand.self, StatusCommand.self, CancelCommand.self,
                      RetryCommand.self, ResolveCommand.self, PauseCommand.self, JournalCommand.self, ResumeCommand.self, CheckCommand.self, ReceiveCommand.self, AuthCommand.self,
                      ApproveCommand.self, RejectCommand.self, LogCommand.self, MigrateCommand.self]
    )
}

@main
enum CrierMain {
    /// Exit status: 0 success, 1 a failure the user must fix, 2 a usage error (a bare `crier` too:
    /// it names no command, so it prints the help to stderr).
    static func main() async {
        do {
            var command = try Crier.parseAsRoot()
            if command is Crier {
                FileHandle.standardError.write(Data((Crier.helpMessage() + "\n").utf8))
                Foundation.exit(2)
            }
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as UserFacingFailure {
            FileHandle.standardError.write(Data("crier: \(failure.message)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = Crier.exitCode(for: error)
            if code == .success {
                Crier.exit(withError: error)
            }
            FileHandle.standardError.write(Data((Crier.fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue == 1 ? 1 : 2)
        }
    }
}
