import CrierCore
import CrierCurl
import CrierReceiver
import CrierTestSupport
import Foundation
import Synchronization
import Testing

/// The receiver's HTTP/1.1 handling, fed exact bytes over a raw socket.
@Suite struct LoopbackHTTPServerTests {
    @Test func decodesChunkedRequestBody() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)

        try client.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
        let reply = try client.readUntilClosed()

        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.contains("Connection: close\r\n"))
        #expect(recorder.requests.first?.body == Data("hello world".utf8))
    }

    @Test func answersPipelinedRequestsInOrder() async throws {
        let recorder = RequestRecorder { request in
            // The first reply is held back: later requests must still be answered after it.
            HTTPReply.text(request.path).delayed(by: request.path == "/1" ? 0.2 : 0)
        }
        let server = try recorder.startServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)

        try client.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            + "GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let replies = try client.readUntilClosed()

        let bodies = replies.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.prefix(2) }
        #expect(bodies == ["/1", "/2", "/3"])
        #expect(replies.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        #expect(recorder.requests.map(\.path) == ["/1", "/2", "/3"])
        #expect(recorder.requests[1].body == Data("abc".utf8))
        #expect(Set(recorder.requests.map(\.remoteAddress)).count == 1)
    }

    @Test func sendsContinueBeforeReadingAnExpectedBody() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)

        try client.send("POST /expect HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
        let interim = try client.read { $0.contains("\r\n\r\n") }
        #expect(interim == "HTTP/1.1 100 Continue\r\n\r\n")
        try client.send("data")
        let final = try client.readUntilClosed()

        #expect(final.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(recorder.requests.first?.body == Data("data".utf8))
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded: header\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ])
    func rejectsMalformedRequestWith400AndCloses(request: String) async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)

        try client.send(request)
        let reply = try client.readUntilClosed() // returns only because the server closed

        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(reply.contains("Content-Length: "))
        #expect(recorder.requests.isEmpty)
    }

    @Test func servesHundredsOfOpenConnectionsAtOnce() async throws {
        let recorder = RequestRecorder { request in .text(request.path) }
        let server = try recorder.startServer()
        defer { server.stop() }

        let clients = try (0..<300).map { _ in try RawHTTPClient(port: server.port) }
        for (index, client) in clients.enumerated() {
            try client.send("GET /\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        for (index, client) in clients.enumerated() {
            let reply = try client.read { $0.hasSuffix("\r\n\r\n/\(index)") }
            #expect(reply.hasSuffix("\r\n\r\n/\(index)"))
        }

        #expect(Set(recorder.requests.map(\.remoteAddress)).count == 300)
    }

    @Test func rejectsOversizedRequestWith413() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)

        try client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 9000000\r\n\r\n")
        let reply = try client.readUntilClosed()

        #expect(reply.hasPrefix("HTTP/1.1 413 "))
        #expect(recorder.requests.isEmpty)
    }

    @Test func answersHeadWithLengthButNoBody() async throws {
        let server = try RequestRecorder { _ in .text("twelve bytes") }.startServer()
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)

        try client.send("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let reply = try client.readUntilClosed()

        #expect(reply.contains("Content-Length: 12\r\n"))
        #expect(reply.hasSuffix("\r\n\r\n"))
    }

    @Test func delayedReplyDoesNotHoldUpOtherConnections() async throws {
        let recorder = RequestRecorder { request in
            // Far longer than any scheduling hiccup on a loaded machine; the slow transfer is
            // abandoned at the end of the test (short grace), not waited for.
            request.path == "/slow" ? HTTPReply.text("slow").delayed(by: 60) : .text("fast")
        }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(maxConcurrentTransfers: 2))
        defer { transport.shutdown(graceSeconds: 0.2) }
        let slow = ResultBox()

        let slowWhenFastFinished = Mutex<TransportResult??>(nil)

        transport.send(OutgoingRequest(url: server.baseURL + "/slow")) { slow.set($0) }
        #expect(try await recorder.waitForRequests(1))
        // The ordering is read on the transfer thread when the fast answer arrives, not after this
        // task resumes: other suites' blocking subprocess waits can starve the cooperative pool for
        // longer than the slow transfer's timeout, which once made this an accidental timing test.
        let fast = await withCheckedContinuation { continuation in
            transport.send(OutgoingRequest(url: server.baseURL + "/fast")) { result in
                slowWhenFastFinished.withLock { $0 = .some(slow.value) }
                continuation.resume(returning: result)
            }
        }

        #expect(fast.response?.body == Data("fast".utf8))
        let slowThen = slowWhenFastFinished.withLock { $0 }
        #expect(slowThen != nil) // the fast completion ran
        #expect(slowThen! == nil) // the slow one was still parked when the fast one was answered
    }

    @Test(arguments: ["0.0.0.0", "192.168.1.10", "10.0.0.1", "::", "fe80::1", "localhost", "example.com", ""])
    func refusesNonLoopbackHosts(host: String) {
        #expect(throws: LoopbackHTTPServerError.notLoopback(host: host)) {
            try LoopbackHTTPServer(host: host) { _ in .ok() }
        }
    }

    @Test(arguments: ["127.0.0.1", "127.0.0.2", "::1", "[::1]"])
    func acceptsLoopbackHosts(host: String) throws {
        let server = try LoopbackHTTPServer(host: host) { _ in .ok() }
        #expect(server.port != 0)
        server.start()
        server.stop()
        server.stop() // idempotent
    }
}
