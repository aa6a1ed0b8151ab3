import ArgumentParser
import CrierDaemon
import Foundation

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a pending post that needs approval: it is not sent on those channels (cancelled, with your reason).",
        discussion: "Only members of the `approvers:` group may reject. The reason is kept in the receipt and `crier log`.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The post id.")
    var post: String

    @Option(help: "Reject only on this channel.")
    var channel: String?

    @Option(help: "Why (the author reads it).")
    var reason: String

    func run() throws {
        let config = try global.requireConfigWithoutSecrets()
        do {
            let channels = try ApprovalCommands.reject(postID: post, channel: channel, reason: reason, config: config,
                                                      layout: global.layout(config: config))
            print("rejected \(post) on \(channels.joined(separator: ", ")): it will not be sent there")
        } catch {
            throw UserFacingFailure(error.message)
        }
    }
}

