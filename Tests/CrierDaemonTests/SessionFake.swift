import CrierCore
import Foundation
import Synchronization

/// A platform that wants a login before it takes posts, answered in process: `POST /login` hands
/// out a token (counted), `POST /post` takes posts only with the current token and answers 401
/// `expired` for any other. `expireTokens()` makes the current token stale, as a server does.
final class SessionFakeTransport: Transport {
    private struct State {
        var logins = 0
        var currentToken: String?
        var posts: [String] = []
        var refused = 0
    }

    private let state = Mutex(State())

    var logins: Int { state.withLock { $0.logins } }
    var posts: [String] { state.withLock { $0.posts } }
    var refused: Int { state.withLock { $0.refused } }

    func expireTokens() {
        state.withLock { $0.currentToken = "nobody-has-this-one" }
    }

    func send(_ request: OutgoingRequest, completion: @escaping @Sendable (TransportResult) -> Void) {
        let response: TransportResponse = state.withLock { state in
            if request.url.hasSuffix("/login") {
                state.logins += 1
                let token = "token-\(state.logins)"
                state.currentToken = token
                return TransportResponse(status: 200, body: Data("\(token)".utf8))
            }
            let authorization = request.headers.first { $0.name == "Authorization" }?.value
            guard let token = state.currentToken, authorization == "Bearer \(token)" else {
                state.refused += 1
                return TransportResponse(status: 401, body: Data("expired".utf8))
            }
            if request.url.hasSuffix("/whoami") { return TransportResponse(status: 200, body: Data("crierbot".utf8)) }
            state.posts.append(String(decoding: request.body, as: UTF8.self))
            return TransportResponse(status: 200, body: Data("p\(state.posts.count)".utf8))
        }
        DispatchQueue.global().async { completion(.success(response)) }
    }

    func shutdown(graceSeconds: Double) {}
}

/// The adapter of `SessionFakeTransport`'s platform: a `login` session step when the channel has no
/// session or it needs renewal, then one `post` step carrying the session's token.
struct SessionFakeAdapter: PlatformAdapter {
    static let base = "http://127.0.0.1:9"

    func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, now: Date) -> AdapterStep {
        guard let token = context.session["token"], !context.session.needsRenewal else {
            return .request(StepRequest(name: "login", request: OutgoingRequest(method: "POST", url: "\(Self.base)/login"),
                                        repeatSafe: true, sessionStep: true))
        }
        return .request(StepRequest(name: "post", request: OutgoingRequest(
            method: "POST", url: "\(Self.base)/post", headers: [HTTPHeader("Authorization", "Bearer \(token)")],
            body: Data(context.text.utf8)), repeatSafe: true))
    }

    func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
              progress: DeliveryProgress) -> StepAnswer {
        let body = String(decoding: response.body, as: UTF8.self)
        switch (step.name, response.status) {
        case ("login", 200):
            return .renewed(ChannelSession(values: ["token": body]))
        case ("post", 200):
            return .sent(RemoteReference(id: body, url: nil))
        case ("post", 401):
            return .sessionExpired("the token was refused: \(body)")
        default:
            return .standard
        }
    }

    func nextProbeStep(for context: ProbeContext, values: [String: String]) -> ProbeStep {
        guard let token = context.session["token"] else {
            return .request(StepRequest(name: "login", request: OutgoingRequest(method: "POST", url: "\(Self.base)/login"),
                                        repeatSafe: true, sessionStep: true))
        }
        return .request(StepRequest(name: "whoami", request: OutgoingRequest(
            method: "GET", url: "\(Self.base)/whoami", headers: [HTTPHeader("Authorization", "Bearer \(token)")]), repeatSafe: true))
    }

    func readProbe(_ response: TransportResponse, to step: StepRequest, for context: ProbeContext,
                   values: [String: String]) -> ProbeAnswer {
        let body = String(decoding: response.body, as: UTF8.self)
        switch (step.name, response.status) {
        case ("login", 200): return .renewed(ChannelSession(values: ["token": body]))
        case ("whoami", 200): return .ok("ok as @\(body)")
        default: return .problem("\(step.name) answered HTTP \(response.status): \(body)")
        }
    }
}
