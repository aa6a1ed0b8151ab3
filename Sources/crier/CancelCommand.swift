import ArgumentParser
import CrierDaemon
import Foundation

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a pending post: its file moves to cancelled/, unsent channels are not sent.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The post id.")
    var post: String

    func run() throws {
        let config = global.configWithoutSecrets()
        do {
            let destination = try PostCommands.cancel(postID: post, layout: global.layout(config: config),
                                                      timeZone: config?.timeZone ?? TimeZone(identifier: "UTC")!)
            print("cancelled \(post): moved to \(destination); channels not yet sent will not be sent")
        } catch {
            throw UserFacingFailure(error.message)
        }
    }
}
