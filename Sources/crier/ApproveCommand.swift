import ArgumentParser
import CrierDaemon
import Foundation

struct ApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a pending post that needs approval (approval: required) on its channels, or one.",
        discussion: """
            Only members of the Unix group named by `approvers: { group: … }` in crier.yml may approve (the \
            person running the command: the user behind sudo, else the real user). The author of a post (the \
            owner of its file) cannot approve it unless `approvers: { self_approval: true }`. What is approved \
            is the text printed here: if the file changes before it goes out, the approval is withdrawn and \
            the post waits again. A running daemon sends it within a second (at its planned time).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The post id.")
    var post: String

    @Option(help: "Approve only this channel.")
    var channel: String?

    @Option(help: "A note kept with the approval (shown by `crier log`).")
    var note: String?

    func run() throws {
        let config = try global.requireConfigWithoutSecrets()
        do {
            let decided = try ApprovalCommands.approve(postID: post, channel: channel, note: note, config: config,
                                                       layout: global.layout(config: config))
            for decision in decided {
                print("approved \(post) on \(decision.channel):")
                for (index, part) in decision.parts.enumerated() {
                    if decision.parts.count > 1 { print("  part \(index + 1)/\(decision.parts.count)") }
                    for line in part.split(separator: "\n", omittingEmptySubsequences: false) { print("    \(line)") }
                }
            }
        } catch {
            throw UserFacingFailure(error.message)
        }
    }
}
