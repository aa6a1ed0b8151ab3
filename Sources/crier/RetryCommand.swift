import ArgumentParser
import CrierDaemon
import Foundation

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Re-queue a failed post (only its failed channels are sent again, with the same delivery ids), or send a delivery of unknown outcome again.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The post id.")
    var post: String

    @Option(help: "Only this channel.")
    var channel: String?

    func run() throws {
        do {
            let channels = try PostCommands.retry(postID: post, channel: channel, layout: global.layout(config: global.configWithoutSecrets()))
            print("re-queued \(post) for \(channels.joined(separator: ", "))")
        } catch {
            throw UserFacingFailure(error.message)
        }
    }
}
