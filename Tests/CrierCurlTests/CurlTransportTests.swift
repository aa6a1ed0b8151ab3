import CrierCore
import CrierCurl
import CrierReceiver
import Foundation
import Synchronization
import Testing

/// Real libcurl over real loopback sockets, against `LoopbackHTTPServer`.
@Suite struct CurlTransportTests {
    private static let options = TransportOptions(connectTimeout: 10, totalTimeout: 30, maxConcurrentTransfers: 8,
                                                  userAgent: "crier-test/1.0")

    @Test func sendsExactMethodHeadersAndBody() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }
        let body = Data(#"{"text":"hello","n":1}"#.utf8)
        let request = OutgoingRequest(
            method: "POST", url: server.baseURL + "/hooks/abc?x=1",
            headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("X-Signature", "sha256=00ff"),
                      HTTPHeader("X-Empty", "")],
            body: body)

        let result = await transport.result(of: request)

        #expect(result.response?.status == 200)
        let received = try #require(recorder.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/hooks/abc?x=1")
        #expect(received.body == body)
        #expect(received.headers.value(for: "Content-Type") == "application/json")
        #expect(received.headers.value(for: "X-Signature") == "sha256=00ff")
        #expect(received.headers.value(for: "X-Empty") == "")
        #expect(received.headers.value(for: "User-Agent") == "crier-test/1.0")
        #expect(received.headers.value(for: "Content-Length") == String(body.count))
        #expect(received.headers.value(for: "Expect") == nil)
    }

    @Test(arguments: [("GET", ""), ("PUT", "replace"), ("PATCH", ""), ("DELETE", "")])
    func sendsOtherMethods(method: String, body: String) async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }

        let result = await transport.result(of: OutgoingRequest(method: method, url: server.baseURL + "/m", body: Data(body.utf8)))

        #expect(result.response?.status == 200)
        let received = try #require(recorder.requests.first)
        #expect(received.method == method)
        #expect(received.body == Data(body.utf8))
        // A bodiless POST-style request must not be passed off as a form post.
        #expect(received.headers.value(for: "Content-Type") == nil)
    }

    @Test func saysWhetherAFailedRequestMayHaveReachedTheServer() async throws {
        let recorder = RequestRecorder { request in request.path == "/drop" ? .dropConnection : .ok() }
        let server = try recorder.startServer()
        defer { server.stop() }
        let closed = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { _ in .ok() }
        let closedURL = closed.baseURL
        closed.stop()
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }

        guard case .failure(let refused) = await transport.result(of: OutgoingRequest(url: closedURL + "/x", body: Data("a".utf8))) else {
            Issue.record("a closed port cannot answer")
            return
        }
        #expect(refused.kind == .connect)
        #expect(!refused.requestSent, "nothing left this machine")

        guard case .failure(let dropped) = await transport.result(of: OutgoingRequest(url: server.baseURL + "/drop", body: Data("a".utf8),
                                                                                     atMostOnce: true)) else {
            Issue.record("a dropped connection is no answer")
            return
        }
        #expect(dropped.kind == .network)
        #expect(dropped.requestSent, "the server read the request before it hung up")
    }

    @Test func anAtMostOnceRequestIsNeverResentByLibcurl() async throws {
        // libcurl resends a request by itself when a reused keep-alive connection dies before any
        // reply: a second post on a platform without idempotency keys. `atMostOnce` forbids that.
        let recorder = RequestRecorder { request in request.path == "/publish" ? .dropConnection : .ok() }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(maxConcurrentTransfers: 1))
        defer { transport.shutdown(graceSeconds: 5) }
        for round in 1...3 {
            _ = await transport.result(of: OutgoingRequest(method: "GET", url: server.baseURL + "/warm\(round)"))
            let result = await transport.result(of: OutgoingRequest(url: server.baseURL + "/publish", body: Data("\(round)".utf8), atMostOnce: true))
            #expect(result.errorKind == .network)
        }
        #expect(recorder.requests.filter { $0.path == "/publish" }.count == 3, "each publish reached the server exactly once")
    }

    @Test func reusedHandleCarriesNothingOverBetweenRequests() async throws {
        let recorder = RequestRecorder { request in request.path == "/drop" ? .dropConnection : .ok() }
        let server = try recorder.startServer()
        defer { server.stop() }
        // One transfer at a time: every request runs on the same pooled easy handle.
        let transport = CurlTransport(options: TransportOptions(maxConcurrentTransfers: 1))
        defer { transport.shutdown(graceSeconds: 5) }
        let sequence: [(method: String, path: String, body: String)] = [
            ("HEAD", "/1", ""), ("POST", "/2", "two"), ("PUT", "/3", "three"), ("GET", "/4", ""),
            ("POST", "/drop", "x"), ("DELETE", "/5", ""), ("POST", "/6", ""), ("HEAD", "/7", ""), ("GET", "/8", ""),
        ]

        for step in sequence {
            let request = OutgoingRequest(method: step.method, url: server.baseURL + step.path, body: Data(step.body.utf8))
            let result = await transport.result(of: request)
            #expect(step.path == "/drop" ? result.errorKind == .network : result.response?.status == 200)
        }

        // libcurl resends a request once when a reused connection dies before any reply (it takes
        // it for a stale keep-alive connection), so "/drop" may arrive twice; compare the rest.
        let received = recorder.requests.filter { $0.path != "/drop" }
        let expected = sequence.filter { $0.path != "/drop" }
        #expect(received.map(\.method) == expected.map(\.method))
        #expect(received.map(\.path) == expected.map(\.path))
        #expect(received.map { String(decoding: $0.body, as: UTF8.self) } == expected.map(\.body))
        #expect(recorder.requests.allSatisfy { $0.headers.value(for: "Content-Type") == nil })
    }

    @Test func returnsStatusHeadersInOrderAndBody() async throws {
        let reply = HTTPReply(status: 429,
                              headers: [HTTPHeader("Retry-After", "7"), HTTPHeader("X-RateLimit-Remaining", "0"),
                                        HTTPHeader("X-RateLimit-Reset", "1700000000")],
                              body: Data("slow down".utf8))
        let recorder = RequestRecorder { _ in reply }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }

        let response = try #require(await transport.result(of: OutgoingRequest(url: server.baseURL + "/")).response)

        #expect(response.status == 429)
        #expect(response.body == Data("slow down".utf8))
        let names = response.headers.map { $0.name.lowercased() }
        let retryAfter = try #require(names.firstIndex(of: "retry-after"))
        let remaining = try #require(names.firstIndex(of: "x-ratelimit-remaining"))
        let reset = try #require(names.firstIndex(of: "x-ratelimit-reset"))
        #expect(retryAfter < remaining && remaining < reset)
        #expect(response.headers.value(for: "Retry-After") == "7")
        #expect(response.headers.value(for: "Content-Length") == "9")
    }

    @Test func truncatesStoredResponseBodyAt64KiB() async throws {
        let recorder = RequestRecorder { _ in .ok(Data(repeating: 0x61, count: 200_000)) }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }

        let first = await transport.result(of: OutgoingRequest(url: server.baseURL + "/big"))
        let second = await transport.result(of: OutgoingRequest(url: server.baseURL + "/big"))

        #expect(first.response?.status == 200)
        #expect(first.response?.body.count == 64 * 1024)
        #expect(second.response?.status == 200)
        // The whole body was read, so the connection stayed usable.
        #expect(Set(recorder.requests.map(\.remoteAddress)).count == 1)
    }

    @Test func runsManyConcurrentTransfersOverFewReusedConnections() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let options = TransportOptions(maxConcurrentTransfers: 10)
        let transport = CurlTransport(options: options)
        defer { transport.shutdown(graceSeconds: 5) }

        for batch in 0..<2 {
            let statuses = await withTaskGroup(of: Int?.self) { group in
                for index in 0..<100 {
                    group.addTask {
                        let request = OutgoingRequest(url: server.baseURL + "/b\(batch)/\(index)", body: Data("\(index)".utf8))
                        return await transport.result(of: request).response?.status
                    }
                }
                return await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(statuses.count == 100)
            #expect(statuses.allSatisfy { $0 == 200 })
        }

        let requests = recorder.requests
        #expect(requests.count == 200)
        #expect(Set(requests.map(\.path)).count == 200)
        let connections = Set(requests.map(\.remoteAddress))
        #expect(connections.count <= options.maxConcurrentTransfers)
    }

    @Test func runsQueuedRequestsInFIFOOrder() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(maxConcurrentTransfers: 1))
        defer { transport.shutdown(graceSeconds: 5) }
        let completions = RequestCounter()

        for index in 0..<20 {
            transport.send(OutgoingRequest(url: server.baseURL + "/\(index)")) { _ in completions.increment() }
        }

        #expect(try await recorder.waitForRequests(20))
        #expect(recorder.requests.map(\.path) == (0..<20).map { "/\($0)" })
        #expect(try await completions.wait(for: 20))
    }

    @Test func reportsRefusedConnectionAsConnect() async throws {
        let closed = try LoopbackHTTPServer { _ in .ok() }
        let url = closed.baseURL + "/"
        closed.stop() // the port is now closed
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }

        let result = await transport.result(of: OutgoingRequest(url: url))

        #expect(result.errorKind == .connect)
    }

    @Test func reportsSlowReplyAsTimeout() async throws {
        let recorder = RequestRecorder { _ in HTTPReply.ok().delayed(by: 10) }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(totalTimeout: 0.5))
        defer { transport.shutdown(graceSeconds: 5) }

        let result = await transport.result(of: OutgoingRequest(url: server.baseURL + "/slow"))

        #expect(result.errorKind == .timeout)
    }

    @Test func reportsDroppedConnectionAsNetwork() async throws {
        let recorder = RequestRecorder { _ in .dropConnection }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }

        let result = await transport.result(of: OutgoingRequest(url: server.baseURL + "/drop"))

        #expect(result.errorKind == .network)
        #expect(recorder.requests.count == 1)
    }

    @Test func sendsOverIPv6Loopback() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer(host: "::1")
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }
        #expect(server.baseURL == "http://[::1]:\(server.port)")

        let result = await transport.result(of: OutgoingRequest(url: server.baseURL + "/v6", body: Data("six".utf8)))

        #expect(result.response?.status == 200)
        #expect(recorder.requests.first?.body == Data("six".utf8))
        #expect(recorder.requests.first?.remoteAddress.hasPrefix("[::1]:") == true)
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "http://", "not a url"])
    func rejectsUnusableURLsAsInvalidRequest(url: String) async throws {
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }

        let result = await transport.result(of: OutgoingRequest(url: url))

        #expect(result.errorKind == .invalidRequest)
    }

    @Test func rejectsHeaderInjectionWithoutEchoingTheValue() async throws {
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }
        let request = OutgoingRequest(url: "http://127.0.0.1:9/",
                                      headers: [HTTPHeader("Authorization", "Bearer s3cret\r\nX-Evil: 1")])

        let result = await transport.result(of: request)

        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.kind == .invalidRequest)
        #expect(!error.message.contains("s3cret"))
    }

    @Test func shutdownLetsTransfersFinishWithinGrace() async throws {
        let recorder = RequestRecorder { _ in HTTPReply.ok(Data("late".utf8)).delayed(by: 0.3) }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        let outcome = ResultBox()

        transport.send(OutgoingRequest(url: server.baseURL + "/")) { outcome.set($0) }
        #expect(try await recorder.waitForRequests(1))
        transport.shutdown(graceSeconds: 20)

        #expect(outcome.value?.response?.body == Data("late".utf8))
    }

    @Test func shutdownCancelsTransfersStillRunningAfterGrace() async throws {
        let recorder = RequestRecorder { _ in HTTPReply.ok().delayed(by: 60) }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(totalTimeout: 120, maxConcurrentTransfers: 1))
        let running = ResultBox()
        let queued = ResultBox()

        transport.send(OutgoingRequest(url: server.baseURL + "/running")) { running.set($0) }
        transport.send(OutgoingRequest(url: server.baseURL + "/queued")) { queued.set($0) }
        #expect(try await recorder.waitForRequests(1))
        let started = ContinuousClock.now
        transport.shutdown(graceSeconds: 0.5)
        let elapsed = ContinuousClock.now - started

        #expect(running.value?.errorKind == .cancelled)
        #expect(queued.value?.errorKind == .cancelled)
        #expect(elapsed >= .seconds(0.45))
        #expect(elapsed < .seconds(10)) // grace plus generous slack for a loaded machine
        #expect(recorder.requests.map(\.path) == ["/running"])
    }

    @Test func sendAfterShutdownIsCancelledAtOnce() async throws {
        let transport = CurlTransport(options: Self.options)
        transport.shutdown(graceSeconds: 1)
        transport.shutdown(graceSeconds: 1) // idempotent

        let outcome = ResultBox()
        transport.send(OutgoingRequest(url: "http://127.0.0.1:9/")) { outcome.set($0) }

        #expect(outcome.value?.errorKind == .cancelled) // completed synchronously
    }

    @Test func shutdownFromACompletionDoesNotDeadlock() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)

        let result = await withCheckedContinuation { continuation in
            transport.send(OutgoingRequest(url: server.baseURL + "/")) { result in
                transport.shutdown(graceSeconds: 0)
                continuation.resume(returning: result)
            }
        }
        transport.shutdown(graceSeconds: 5)

        #expect(result.response?.status == 200)
    }

    @Test func aRequestWithANotBeforeInstantStartsThenAndHoldsNothingElseUp() async throws {
        let arrivals = Mutex<[String: Date]>([:])
        let recorder = RequestRecorder { request in
            arrivals.withLock { $0[request.path] = Date() }
            return .ok()
        }
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        defer { transport.shutdown(graceSeconds: 5) }
        let completions = RequestCounter()
        let start = Date()
        // Handed over in the reverse order of their instants; one without an instant goes at once.
        let instants = [("/third", 0.6), ("/second", 0.4), ("/first", 0.2)]
        for (path, delay) in instants {
            transport.send(OutgoingRequest(url: server.baseURL + path, notBefore: start.addingTimeInterval(delay))) { _ in
                completions.increment()
            }
        }
        transport.send(OutgoingRequest(url: server.baseURL + "/now")) { _ in completions.increment() }

        #expect(try await completions.wait(for: 4))
        #expect(recorder.requests.map(\.path) == ["/now", "/first", "/second", "/third"])
        let seen = arrivals.withLock { $0 }
        for (path, delay) in instants {
            let arrival = try #require(seen[path])
            #expect(arrival >= start.addingTimeInterval(delay), "\(path) reached the server before its instant")
        }
    }

    @Test func shutdownCancelsAHeldRequestBeforeItReachesTheServer() async throws {
        let recorder = RequestRecorder()
        let server = try recorder.startServer()
        defer { server.stop() }
        let transport = CurlTransport(options: Self.options)
        let held = ResultBox()

        transport.send(OutgoingRequest(url: server.baseURL + "/later", notBefore: Date().addingTimeInterval(30))) { held.set($0) }
        transport.send(OutgoingRequest(url: server.baseURL + "/now")) { _ in }
        #expect(try await recorder.waitForRequests(1))
        transport.shutdown(graceSeconds: 1)

        #expect(held.value?.errorKind == .cancelled)
        if case .failure(let error) = held.value { #expect(!error.requestSent) }
        #expect(recorder.requests.map(\.path) == ["/now"])
    }
}
