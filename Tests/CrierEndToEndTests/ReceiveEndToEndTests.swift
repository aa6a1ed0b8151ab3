import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// `crier receive` as a subprocess: what it prints about each request's signature.
@Suite(.serialized) struct ReceiveEndToEndTests {
    /// Starts `crier receive --port 0 …` and returns it with the port it reported.
    static func startReceiver(_ arguments: [String]) throws -> (CrierProcess, UInt16) {
        let receiver = CrierProcess(["receive", "--port", "0"] + arguments)
        try receiver.start()
        let prefix = "listening on http://127.0.0.1:"
        guard receiver.waitForLog(prefix, timeout: 30),
              let range = receiver.standardError.range(of: prefix),
              let port = UInt16(receiver.standardError[range.upperBound...].prefix { $0.isNumber })
        else {
            receiver.kill(SIGKILL)
            throw RawHTTPClient.Failure(description: "crier receive did not start: \(receiver.standardError)")
        }
        return (receiver, port)
    }

    /// One POST over a raw socket; returns the status line.
    static func post(port: UInt16, headers: [String] = [], body: String) throws -> String {
        let client = try RawHTTPClient(port: port)
        let head = (["POST /hook HTTP/1.1", "Host: 127.0.0.1", "Content-Length: \(body.utf8.count)", "Connection: close"] + headers)
            .joined(separator: "\r\n")
        try client.send(head + "\r\n\r\n" + body)
        return try client.readUntilClosed().components(separatedBy: "\r\n").first ?? ""
    }

    static func finish(_ receiver: CrierProcess) -> String {
        let output = receiver.readOutput()
        #expect(receiver.waitForExit(timeout: 30), "crier receive --count did not exit")
        #expect(receiver.exitStatus == 0, "\(receiver.standardError)")
        return output
    }

    @Test func aDeliveryFromTheDaemonVerifies() throws {
        let (receiver, port) = try Self.startReceiver(["--count", "1", "--secret", WebhookSink.secret])
        let directory = TemporaryDirectory(prefix: "crier-receive")
        let queue = directory.path + "/queue"
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
        let config = directory.write(ConfigText.webhooks(queue: queue, channels: [("alpha", "http://127.0.0.1:\(port)/hook")]),
                                     to: "crier.yml")
        directory.write("---\nchannels: [alpha]\n---\nSigned by the daemon.", to: "queue/signed.md")
        let run = try CrierProcess.run(["run", "--once", "--config", config])
        #expect(run.status == 0, "\(run.error)")
        let output = Self.finish(receiver)
        #expect(output.contains("alpha signed d_"), "\(output)")
        #expect(output.contains("signature ok"), "\(output)")
        #expect(output.contains("Signed by the daemon."))
        #expect(receiver.standardError.contains("1 received, 0 repeats, 0 with bad signatures"))
    }

    @Test func withoutASecretNothingIsChecked() throws {
        let (receiver, port) = try Self.startReceiver(["--count", "1"])
        #expect(receiver.standardError.contains("no secret: signatures not checked"))
        let status = try Self.post(port: port, headers: ["webhook-id: msg_1"], body: #"{"data":{"post":"p","channel":"c","text":"hi"}}"#)
        #expect(status == "HTTP/1.1 200 OK")
        let output = Self.finish(receiver)
        #expect(output.contains("c p msg_1 signature not checked"), "\(output)")
        #expect(!output.contains("signature ok"))
    }

    @Test func withASecretItSaysWhichCheckFailed() throws {
        let (receiver, port) = try Self.startReceiver(["--count", "3", "--secret", WebhookSink.secret])
        let now = Int(Date().timeIntervalSince1970)
        let key = try #require(WebhookSignature.key(fromSecret: WebhookSink.secret))
        let body = #"{"data":{"text":"x"}}"#
        let wrongBody = WebhookSignature.sign(id: "msg_2", timestamp: now, body: Data("other".utf8), key: key)
        let stale = WebhookSignature.sign(id: "msg_3", timestamp: now - 3600, body: Data(body.utf8), key: key)
        #expect(try Self.post(port: port, headers: ["webhook-id: msg_1"], body: body) == "HTTP/1.1 401 Unauthorized")
        _ = try Self.post(port: port, headers: ["webhook-id: msg_2", "webhook-timestamp: \(now)", "webhook-signature: \(wrongBody)"],
                          body: body)
        _ = try Self.post(port: port, headers: ["webhook-id: msg_3", "webhook-timestamp: \(now - 3600)", "webhook-signature: \(stale)"],
                          body: body)
        let output = Self.finish(receiver)
        #expect(output.contains("msg_1 signature FAILED (missing headers: webhook-timestamp, webhook-signature)"), "\(output)")
        #expect(output.contains("msg_2 signature FAILED (bad signature"), "\(output)")
        #expect(output.contains("msg_3 signature FAILED (bad timestamp"), "\(output)")
        #expect(receiver.standardError.contains("3 received, 0 repeats, 3 with bad signatures"))
    }

    @Test func refusesAddressesOtherMachinesCouldReach() throws {
        let result = try CrierProcess.run(["receive", "--host", "0.0.0.0"])
        #expect(result.status == 2, "a usage error")
        #expect(result.error.contains("'0.0.0.0' is not a loopback address"), "\(result.error)")
    }
}
