import ArgumentParser
import CrierDaemon
import Foundation

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "A local webhook receiver: prints what arrives and checks signatures (for trying crier without accounts).",
        discussion: """
            Listens on loopback only. Point a `platform: webhook` channel at http://127.0.0.1:PORT/ and give it \
            the same secret. Without a secret each request shows "signature not checked"; with one, "signature ok" \
            or which check failed (missing headers, bad timestamp, bad signature), and the request gets 401. \
            The webhook event's shape is described in docs/formats.md (installed: /usr/share/doc/crier/docs/formats.md.gz).
            """)

    @Option(help: "Loopback address to listen on (127.0.0.1 or ::1).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port: UInt16 = 8787

    @Option(help: "Signing secret (whsec_…) to verify signatures with; also read from $CRIER_RECEIVE_SECRET.")
    var secret: String?

    @Option(help: "Exit after this many requests (0: run until interrupted).")
    var count = 0

    private var configuration: WebhookReceiver.Configuration {
        .init(host: host, port: port, secret: secret ?? ProcessInfo.processInfo.environment["CRIER_RECEIVE_SECRET"], count: max(count, 0))
    }

    /// A host that is not loopback or a malformed secret is a usage error (exit status 2).
    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 (run until interrupted) or more") }
        do {
            _ = try WebhookReceiver(configuration)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        do {
            let receiver = try WebhookReceiver(configuration)
            let checked = receiver.checksSignatures
            let arrivals = try await receiver.run { event in
                switch event {
                case .listening(let baseURL):
                    let checking = checked ? "verifying signatures" : "no secret: signatures not checked"
                    Self.write("crier receive: listening on \(baseURL)/ (\(checking))\n", to: FileHandle.standardError)
                case .arrived(let arrival):
                    // Straight to fd 1 so lines appear at once even when piped.
                    Self.write(ArrivalReport.lines(for: arrival), to: FileHandle.standardOutput)
                }
            }
            Self.write("crier receive: \(ArrivalReport.summary(of: arrivals, checked: checked))\n", to: FileHandle.standardError)
        } catch {
            throw UserFacingFailure(error.description)
        }
    }

    private static func write(_ text: String, to handle: FileHandle) {
        handle.write(Data(text.utf8))
    }
}
