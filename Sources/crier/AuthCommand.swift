import ArgumentParser
import CrierCore
import CrierCurl
import CrierDaemon
import Foundation
import Glibc

struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Obtain a channel's user token and keep it in crier's token store (the journal in .crier/).",
        discussion: """
            Platforms with OAuth 2 (X): prints an address to open, waits for the browser's redirect to \
            http://127.0.0.1:PORT/callback (register that redirect with your app), exchanges the code (PKCE) \
            and stores the tokens. Over SSH, paste the address the browser was sent to instead. Platforms with \
            long-lived tokens (Meta, LinkedIn): --token TOKEN stores a pasted token, exchanged for a long-lived \
            one where the platform allows (--token - reads it from standard input, which keeps it out of the \
            shell history). A running daemon picks the new token up within a second. Token values are never printed.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The channel (a name under `channels:` in crier.yml).")
    var channel: String

    @Option(help: "Store this pasted token instead of the browser flow ('-': read it from standard input).")
    var token: String?

    @Option(help: "The loopback port of the redirect (http://127.0.0.1:PORT/callback).")
    var port: Int = 8788

    @Option(help: "How long to wait for the redirect, in seconds.")
    var timeout: Int = 600

    func run() throws {
        let path = global.configPath
        let loaded: ConfigLoader.Loaded
        switch ConfigLoader().load(path: path) {
        case .failure(let failure):
            for line in CheckCommand.lines(problems: failure.problems, warnings: [], path: path) { print(line) }
            throw UserFacingFailure("fix \(path) first (`crier check` lists every problem)")
        case .success(let result):
            loaded = result
        }
        guard let resolved = loaded.runtime.channels[channel] else {
            let names = loaded.runtime.config.channelNames.joined(separator: ", ")
            throw UserFacingFailure("no channel '\(channel)' in \(path); channels: \(names)")
        }
        let layout = global.layout(config: loaded.runtime.config)
        let transport = CurlTransport(options: TransportOptions(connectTimeout: 10, totalTimeout: 60, maxConcurrentTransfers: 2))
        defer { transport.shutdown(graceSeconds: 0) }
        let session: ChannelSession
        do {
            try FileOperations.makeDirectory(layout.root, mode: 0o2770)
            try FileOperations.makeDirectory(layout.state, mode: 0o700)
            let journal = try JournalStore.open(layout)
            let grant = try TokenGrant(channel: resolved, journal: journal, transport: transport, controlStamp: layout.controlStamp)
            if let token {
                session = try grant.storePasted(token == "-" ? readLine(strippingNewline: true) ?? "" : token)
            } else {
                let listener = try OAuthCallbackListener(port: port)
                session = try grant.authorize(listener: listener, input: STDIN_FILENO, timeout: TimeInterval(timeout)) { message in
                    FileHandle.standardError.write(Data((message + "\n").utf8))
                }
            }
        } catch let error as DaemonError {
            throw UserFacingFailure(error.message)
        } catch {
            throw UserFacingFailure("cannot open the token store in \(layout.state): \(error)")
        }
        print("channel \(channel): token stored; \(TokenGrant.summary(session))")
    }
}
