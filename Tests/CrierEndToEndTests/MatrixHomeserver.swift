import CrierCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Testing

/// The real Synapse that `scripts/synapse.sh start` runs on loopback, found through
/// `$CRIER_MATRIX_ENV` or `.build-synapse/homeserver.env` beside the package; and the few client
/// API calls the tests make to look at a room from the outside.
struct MatrixHomeserver: Sendable {
    var url: String
    var serverName: String
    var user: String
    var password: String
    /// alice's token: exempt from the rate limit; the tests' rooms are hers.
    var token: String
    /// bob's token: limited by `rc_message` (0.2 per second, burst 3).
    var limitedToken: String
    var limitedRoom: String

    static let startHint = "start the test homeserver with `scripts/synapse.sh start` (scripts/test.sh and .ci/run do it for you)"

    /// The running homeserver; nil (with an issue recorded) when there is none. With
    /// `CRIER_MATRIX_REQUIRED=1` (set by scripts/test.sh, so CI) that issue fails the test; without
    /// it (a developer running some other filter) it is a warning that says how to start one.
    static func running() -> MatrixHomeserver? {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["CRIER_MATRIX_ENV"] ?? packageRoot() + "/.build-synapse/homeserver.env"
        let required = environment["CRIER_MATRIX_REQUIRED"] == "1"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            let message = Comment(rawValue: "no Matrix homeserver: \(path) is missing; \(startHint)")
            Issue.record(message, severity: required ? .error : .warning)
            return nil
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let url = values["CRIER_MATRIX_URL"], let token = values["CRIER_MATRIX_TOKEN"], let limitedToken = values["CRIER_MATRIX_LIMITED_TOKEN"],
              let limitedRoom = values["CRIER_MATRIX_LIMITED_ROOM"] else {
            Issue.record("\(path) lacks CRIER_MATRIX_URL, _TOKEN, _LIMITED_TOKEN or _LIMITED_ROOM; \(startHint)")
            return nil
        }
        let homeserver = MatrixHomeserver(url: url, serverName: values["CRIER_MATRIX_SERVER_NAME"] ?? "crier.test", user: values["CRIER_MATRIX_USER"] ?? "",
                                          password: values["CRIER_MATRIX_PASSWORD"] ?? "", token: token, limitedToken: limitedToken, limitedRoom: limitedRoom)
        guard (try? homeserver.call("GET", "/_matrix/client/versions")) != nil else {
            Issue.record("the homeserver in \(path) (\(url)) does not answer; \(startHint)", severity: required ? .error : .warning)
            return nil
        }
        return homeserver
    }

    static func packageRoot() -> String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory.path }
            directory.deleteLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// One client API call; the decoded JSON answer, or a failure naming the status and body.
    @discardableResult
    func call(_ method: String, _ path: String, _ body: [String: Any]? = nil, token: String? = nil) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (status, data) = try Self.send(request)
        guard (200..<300).contains(status) else { throw Failure(description: "\(method) \(path): HTTP \(status) \(String(decoding: data, as: UTF8.self))") }
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// A synchronous request (the tests run on their own threads).
    static func send(_ request: URLRequest) throws -> (status: Int, body: Data) {
        final class Box: @unchecked Sendable {
            var result: Result<(Int, Data), Error> = .failure(Failure(description: "no answer"))
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.result = .failure(error)
            } else {
                box.result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        let (status, body) = try box.result.get()
        return (status, body)
    }

    /// A new private room of alice's, so each test reads only its own events.
    func createRoom(_ name: String) throws -> String {
        let answer = try call("POST", "/_matrix/client/v3/createRoom", ["preset": "private_chat", "name": name], token: token)
        guard let room = answer["room_id"] as? String else { throw Failure(description: "createRoom: no room_id in \(answer)") }
        return room
    }

    /// Every `m.room.message` event of the room, oldest first.
    func messages(in room: String, token: String? = nil) throws -> [[String: Any]] {
        let path = "/_matrix/client/v3/rooms/\(MatrixRequests.pathSegment(room))/messages?dir=f&limit=100"
        let chunk = try call("GET", path, token: token ?? self.token)["chunk"] as? [[String: Any]] ?? []
        return chunk.filter { $0["type"] as? String == "m.room.message" }
    }
}
