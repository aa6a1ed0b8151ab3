import ArgumentParser
import CrierCore
import CrierReceiver
import Foundation
import Glibc

struct ReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "A local webhook receiver: prints what arrives and checks signatures (for trying crier without accounts).",
        discussion: "Listens on loopback only. Point a `platform: webhook` channel at http://127.0.0.1:PORT/ and give it the same secret.")

    @Option(help: "Loopback address to listen on (127.0.0.1 or ::1).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port: UInt16 = 8787

    @Option(help: "Signing secret (whsec_…) to verify signatures with; also read from $CRIER_RECEIVE_SECRET.")
    var secret: String?

    @Option(help: "Exit after this many requests (0: run until interrupted).")
    var count = 0

    func run() throws {
        let secret = self.secret ?? ProcessInfo.processInfo.environment["CRIER_RECEIVE_SECRET"]
        if let secret, WebhookSignature.key(fromSecret: secret) == nil {
            throw UserFacingFailure("--secret must be a Standard Webhooks secret: 'whsec_' followed by base64")
        }
        let inbox = WebhookInbox(secret: secret)
        let done = DispatchSemaphore(value: 0)
        let expected = count
        let server: LoopbackHTTPServer
        do {
            server = try LoopbackHTTPServer(host: host, port: port) { request in
                let (arrival, reply) = inbox.receive(request)
                Self.print(arrival)
                if expected > 0, inbox.arrivals.count >= expected { done.signal() }
                return reply
            }
        } catch {
            throw UserFacingFailure("cannot listen on \(host):\(port): \(error)")
        }
        server.start()
        FileHandle.standardError.write(Data("crier receive: listening on \(server.baseURL)/ (\(secret == nil ? "no secret: signatures not checked" : "verifying signatures"))\n".utf8))
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let signals = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            return source
        }
        done.wait()
        server.stop()
        withExtendedLifetime(signals) {}
        let arrivals = inbox.arrivals
        let bad = arrivals.filter { $0.signatureProblem != nil }.count
        FileHandle.standardError.write(Data("crier receive: \(arrivals.count) received, \(arrivals.filter(\.isRepeat).count) repeats, \(bad) with bad signatures\n".utf8))
    }

    private static func print(_ arrival: WebhookInbox.Arrival) {
        let time = TimestampFormat.string(arrival.receivedAt)
        let check = arrival.signatureProblem.map { "signature FAILED (\($0))" } ?? "signature ok"
        let repeatNote = arrival.isRepeat ? " (repeat of an earlier delivery)" : ""
        var text = (arrival.text ?? String(decoding: arrival.body.prefix(200), as: UTF8.self)).replacingOccurrences(of: "\n", with: " ⏎ ")
        if text.count > 100 { text = String(text.prefix(100)) + "…" }
        // Written straight to fd 1 so lines appear at once even when piped.
        FileHandle.standardOutput.write(Data("\(time) \(arrival.channel ?? "?") \(arrival.post ?? "?") \(arrival.webhookID) \(check)\(repeatNote)\n    \(text)\n".utf8))
    }
}
