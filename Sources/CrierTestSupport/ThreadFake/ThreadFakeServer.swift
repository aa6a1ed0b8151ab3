import CrierCore
import CrierReceiver
import Foundation
import Synchronization

/// A loopback fake of a threading social platform with two steps per post, checked as strictly as
/// a real one: `POST /drafts` (`{"text", "reply_to"}` → `{"draft"}`; invisible, so safe to repeat),
/// then `POST /publish` (`{"draft"}` → `{"id", "url"}`; **not** idempotent: publishing a draft
/// twice makes two visible posts), and `GET /posts?draft=ID` to look a draft's post up.
///
/// Every request is checked: a `reply_to` must name a published post, a publish must name a known
/// draft; what breaks a rule is answered 400 and recorded in `violations`. `fault` can make the
/// server drop a connection before or after it has acted on a request (a lost answer).
public final class ThreadFakeServer: Sendable {
    public struct Published: Sendable, Equatable {
        public var id: String
        public var text: String
        public var replyTo: String?
        public var draft: String
    }

    /// What to do with one request (given the request and how many requests came before it).
    public enum Fault: Sendable, Equatable {
        /// Close the connection without acting on the request.
        case dropBeforeActing
        /// Act on it, then close the connection without answering: the answer is lost.
        case dropAfterActing
        /// Answer this status without acting.
        case status(Int)
    }

    private struct State {
        var drafts: [String: (text: String, replyTo: String?)] = [:]
        var posts: [Published] = []
        var violations: [String] = []
        var requests: [String] = []
    }

    private let state = Mutex(State())
    private let fault: @Sendable (ReceivedHTTPRequest, Int) -> Fault?
    private let server: LoopbackHTTPServer

    public init(fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Fault? = { _, _ in nil }) throws {
        self.fault = fault
        let box = Mutex<ThreadFakeServer?>(nil)
        server = try LoopbackHTTPServer(host: "127.0.0.1", port: 0) { request in
            box.withLock { $0 }?.handle(request) ?? HTTPReply(status: 503)
        }
        box.withLock { $0 = self }
        server.start()
    }

    public var url: String { server.baseURL }
    public func stop() { server.stop() }

    /// Visible posts, in the order they were published.
    public var posts: [Published] { state.withLock { $0.posts } }
    public var violations: [String] { state.withLock { $0.violations } }
    /// `METHOD /path` of every request, in arrival order.
    public var requests: [String] { state.withLock { $0.requests } }

    private func handle(_ request: ReceivedHTTPRequest) -> HTTPReply {
        let count = state.withLock { state in
            state.requests.append("\(request.method) \(request.path.split(separator: "?").first.map(String.init) ?? request.path)")
            return state.requests.count - 1
        }
        let injected = fault(request, count)
        switch injected {
        case .dropBeforeActing: return HTTPReply(connection: .dropConnection)
        case .status(let status): return HTTPReply(status: status)
        default: break
        }
        let reply = act(on: request)
        return injected == .dropAfterActing ? HTTPReply(connection: .dropConnection) : reply
    }

    private func act(on request: ReceivedHTTPRequest) -> HTTPReply {
        let json = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
        switch (request.method, request.path.split(separator: "?").first.map(String.init) ?? "") {
        case ("POST", "/drafts"):
            guard request.headers.value(for: "Content-Type") == "application/json", let text = json["text"] as? String, !text.isEmpty else {
                return refuse("POST /drafts needs a JSON body with a non-empty text")
            }
            let replyTo = json["reply_to"] as? String
            return state.withLock { state -> HTTPReply in
                if let replyTo, !state.posts.contains(where: { $0.id == replyTo }) {
                    state.violations.append("reply_to \(replyTo) is not a published post")
                    return HTTPReply(status: 400, body: Data(#"{"error":"reply_to is not a published post"}"#.utf8))
                }
                let draft = "dr_\(state.drafts.count + 1)"
                state.drafts[draft] = (text, replyTo)
                return Self.json(["draft": draft])
            }
        case ("POST", "/publish"):
            guard let draft = json["draft"] as? String else { return refuse("POST /publish needs a draft") }
            let base = url
            return state.withLock { state -> HTTPReply in
                guard let found = state.drafts[draft] else {
                    state.violations.append("publish of unknown draft \(draft)")
                    return HTTPReply(status: 400, body: Data(#"{"error":"no such draft"}"#.utf8))
                }
                let id = "p_\(state.posts.count + 1)"
                state.posts.append(Published(id: id, text: found.text, replyTo: found.replyTo, draft: draft))
                return Self.json(["id": id, "url": "\(base)/posts/\(id)"])
            }
        case ("GET", "/posts"):
            let draft = request.path.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
            let base = url
            let found = state.withLock { $0.posts.filter { $0.draft == draft } }
            return Self.json(["posts": found.map { ["id": $0.id, "url": "\(base)/posts/\($0.id)"] }])
        default:
            return refuse("no such endpoint: \(request.method) \(request.path)")
        }
    }

    private func refuse(_ message: String) -> HTTPReply {
        state.withLock { $0.violations.append(message) }
        return HTTPReply(status: 400, body: Data("{\"error\":\"\(message)\"}".utf8))
    }

    private static func json(_ object: Any) -> HTTPReply {
        HTTPReply(status: 200, headers: [HTTPHeader("Content-Type", "application/json")],
                  body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
