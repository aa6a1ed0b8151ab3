import CrierCore
import Foundation
import Synchronization

/// An OAuth 2 platform answered in process: its token endpoint takes a code only with the verifier
/// whose S256 challenge was in the authorization URL, and with the same redirect URI.
final class AuthFakeTransport: Transport {
    private struct State {
        var challenge: String?
        var redirectURI: String?
        var exchanges = 0
    }

    private let state = Mutex(State())
    static let code = "code-42"

    var exchanges: Int { state.withLock { $0.exchanges } }

    /// What the "browser" saw in the authorization URL.
    func authorizationShown(_ url: String) {
        let fields = Self.fields(URLComponents(string: url)?.query ?? "")
        state.withLock {
            $0.challenge = fields["code_challenge"]
            $0.redirectURI = fields["redirect_uri"]
        }
    }

    func send(_ request: OutgoingRequest, completion: @escaping @Sendable (TransportResult) -> Void) {
        let fields = Self.fields(String(decoding: request.body, as: UTF8.self))
        let response: TransportResponse = state.withLock { state in
            state.exchanges += 1
            if request.url.hasSuffix("/exchange") {
                return TransportResponse(status: 200, body: Data(#"{"access_token":"long-\#(fields["token"] ?? "")","expires_in":5184000}"#.utf8))
            }
            guard fields["code"] == Self.code, let verifier = fields["code_verifier"],
                  PKCE(verifier: verifier).challenge == state.challenge, fields["redirect_uri"] == state.redirectURI else {
                return TransportResponse(status: 400, body: Data(#"{"error":"invalid_grant"}"#.utf8))
            }
            return TransportResponse(status: 200, body: Data(
                #"{"access_token":"at-1","refresh_token":"rt-1","expires_in":7200,"scope":"tweet.write offline.access"}"#.utf8))
        }
        DispatchQueue.global().async { completion(.success(response)) }
    }

    func shutdown(graceSeconds: Double) {}

    static func fields(_ query: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if halves.count == 2 { result[halves[0]] = halves[1] }
        }
        return result
    }
}

struct AuthFakeAdapter: TokenGrantingAdapter {
    func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, now: Date) -> AdapterStep {
        .fail("not for delivery")
    }

    func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext, progress: DeliveryProgress) -> StepAnswer {
        .standard
    }

    func authorizationURL(for context: ProbeContext, redirectURI: String, state: String, codeChallenge: String) -> String? {
        var components = URLComponents(string: "http://127.0.0.1:9/authorize")!
        components.queryItems = [URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "state", value: state),
                                 URLQueryItem(name: "code_challenge", value: codeChallenge), URLQueryItem(name: "code_challenge_method", value: "S256")]
        return components.string
    }

    func tokenRequest(code: String, codeVerifier: String, redirectURI: String, for context: ProbeContext) -> StepRequest {
        var form = URLComponents()
        form.queryItems = [URLQueryItem(name: "code", value: code), URLQueryItem(name: "code_verifier", value: codeVerifier),
                           URLQueryItem(name: "redirect_uri", value: redirectURI)]
        return StepRequest(name: "token", request: OutgoingRequest(method: "POST", url: "http://127.0.0.1:9/token",
                                                                   body: Data((form.percentEncodedQuery ?? "").utf8)), repeatSafe: false)
    }

    func exchangeRequest(pastedToken: String, for context: ProbeContext) -> StepRequest? {
        StepRequest(name: "exchange", request: OutgoingRequest(method: "POST", url: "http://127.0.0.1:9/exchange",
                                                               body: Data("token=\(pastedToken)".utf8)), repeatSafe: true)
    }

    func readTokens(_ response: TransportResponse, for context: ProbeContext, now: Date) -> Result<ChannelSession, TokenGrantError> {
        guard response.status == 200,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let access = object["access_token"] as? String else {
            return .failure(TokenGrantError("the token endpoint answered HTTP \(response.status): \(String(decoding: response.body, as: UTF8.self))"))
        }
        var values = ["access_token": access]
        values["refresh_token"] = object["refresh_token"] as? String
        values["scope"] = object["scope"] as? String
        let expiresAt = (object["expires_in"] as? Double).map { now.addingTimeInterval($0) }
        return .success(ChannelSession(values: values, expiresAt: expiresAt))
    }
}
