import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback static file host: where a queue's `media/` is "published" for platforms that fetch
/// media by URL (`media_base_url`). Serves `GET` and `HEAD` of the files it was given with their
/// type and length, 404 for anything else, and records every request.
public final class MediaHostServer: Sendable {
    public struct File: Sendable {
        public var bytes: Data
        public var contentType: String

        public init(bytes: Data, contentType: String) {
            self.bytes = bytes
            self.contentType = contentType
        }
    }

    private struct State {
        var files: [String: File] = [:]
        var requests: [String] = []
    }

    private let state = Mutex(State())
    private let server: LoopbackHTTPServer

    public init() throws {
        let box = Mutex<MediaHostServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    /// The `media_base_url` of the fake host.
    public var url: String { server.baseURL }
    public func stop() { server.stop() }

    /// Publishes `bytes` at `path` (`media/a.jpg`).
    public func put(_ path: String, bytes: Data, contentType: String) {
        state.withLock { $0.files["/" + path] = File(bytes: bytes, contentType: contentType) }
    }

    /// `METHOD /path` of every request.
    public var requests: [String] { state.withLock { $0.requests } }

    /// Whether a full URL names a file this host serves (what Meta's fetcher would find).
    public func serves(_ url: String) -> Bool {
        guard url.hasPrefix(server.baseURL + "/") else { return false }
        let path = String(url.dropFirst(server.baseURL.count))
        let decoded = path.removingPercentEncoding ?? path
        return state.withLock { $0.files[decoded] != nil }
    }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let path = request.path.removingPercentEncoding ?? request.path
        let file = state.withLock { state -> File? in
            state.requests.append("\(request.method) \(path)")
            return state.files[path]
        }
        guard request.method == "GET" || request.method == "HEAD" else { return HTTPReply(status: 405) }
        guard let file else { return HTTPReply(status: 404, headers: [HTTPHeader("Content-Type", "text/plain")], body: Data("not found".utf8)) }
        return HTTPReply(status: 200, headers: [HTTPHeader("Content-Type", file.contentType)], body: file.bytes)
    }
}
