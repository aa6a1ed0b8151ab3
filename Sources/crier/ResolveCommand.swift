import ArgumentParser
import CrierDaemon
import Foundation

struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a delivery whose outcome is unknown: it is on the platform (--sent URL) or it is not (--not-sent).",
        discussion: """
            A request that is not safe to repeat (a platform without idempotency keys) can go out and \
            get no answer. crier then holds the delivery as `unknown` instead of posting twice, alerts, \
            and lists it in `crier status`. Look on the channel, then tell crier what happened; a running \
            daemon applies it within a second and goes on with the rest of the post (a thread's next part \
            replies to the URL given).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The post id.")
    var post: String

    @Option(help: "The channel (needed when the post is unknown on several).")
    var channel: String?

    @Option(name: .customLong("sent"), help: ArgumentHelp("It is on the platform, at this URL.", valueName: "URL"))
    var sentURL: String?

    @Flag(name: .customLong("not-sent"), help: "It is not on the platform: send it again.")
    var notSent = false

    func validate() throws {
        guard (sentURL != nil) != notSent else {
            throw ValidationError("say what happened: --sent URL (it is on the platform) or --not-sent (send it again)")
        }
    }

    func run() throws {
        do {
            let channels = try PostCommands.resolve(postID: post, channel: channel, sentURL: sentURL,
                                                    layout: global.layout(config: global.configWithoutSecrets()))
            print("\(post) on \(channels.joined(separator: ", ")): \(sentURL.map { "recorded as sent (\($0))" } ?? "will be sent again")")
        } catch {
            throw UserFacingFailure(error.message)
        }
    }
}
