import ArgumentParser
import CrierDaemon
import Foundation

struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Drop a post into the queue atomically (validated first); prints the post id.",
        discussion: """
            The post is checked against the config as the daemon will read and render it: what \
            `crier preview` reports as an error (a text too long under `long: reject`, a missing media \
            file, an unknown channel) is refused here, with every problem listed.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A post file (.md or .json), or - to read one from standard input.")
    var file: String

    @Option(help: "Send at this time (ISO 8601, or 'YYYY-MM-DD HH:MM' in the configured time zone).")
    var at: String?

    @Option(help: "Comma-separated channel names (or 'all').")
    var channels: String?

    func validate() throws {
        if let at { try TimeOption.validate(at, option: "--at") }
    }

    func run() throws {
        let config = try global.requireConfigWithoutSecrets()
        let enqueuer = PostEnqueuer(config: config, layout: global.layout(config: config))
        let source: PostEnqueuer.Source = file == "-" ? .standardInput(FileHandle.standardInput.readDataToEndOfFile()) : .file(file)
        do {
            print(try enqueuer.enqueue(source, at: at, channels: channels))
        } catch {
            throw UserFacingFailure(error.description)
        }
    }
}
