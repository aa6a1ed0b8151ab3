import Foundation

/// An adapter whose platform hands out user tokens (`crier auth CHANNEL`): OAuth 2 authorization code
/// with PKCE and a loopback redirect (RFC 8252), and/or a pasted token exchanged for a long-lived one.
/// What it reads from a token answer becomes the channel's `ChannelSession` (conventional names:
/// `access_token`, `refresh_token`, `scope`; `expiresAt` set from `expires_in`), stored in the journal
/// like any session; refreshing it later is the adapter's own session step (`StepRequest.sessionStep`).
public protocol TokenGrantingAdapter: PlatformAdapter {
    /// The URL the user opens to grant access, or nil when the platform takes pasted tokens only.
    /// `codeChallenge` is the S256 challenge of the verifier later passed to `tokenRequest`.
    func authorizationURL(for context: ProbeContext, redirectURI: String, state: String, codeChallenge: String) -> String?

    /// The request that exchanges an authorization code for tokens.
    func tokenRequest(code: String, codeVerifier: String, redirectURI: String, for context: ProbeContext) -> StepRequest

    /// For `crier auth CHANNEL --token`: the request that exchanges a pasted token for a long-lived
    /// one, or nil to store the pasted token as it is (then `pastedSession` makes the session).
    func exchangeRequest(pastedToken: String, for context: ProbeContext) -> StepRequest?

    /// The session for a pasted token that needs no exchange.
    func pastedSession(_ token: String, for context: ProbeContext, now: Date) -> ChannelSession

    /// Reads a token answer (to `tokenRequest` or `exchangeRequest`): the session to store, or what
    /// went wrong in the operator's words.
    func readTokens(_ response: TransportResponse, for context: ProbeContext, now: Date) -> Result<ChannelSession, TokenGrantError>
}

extension TokenGrantingAdapter {
    public func exchangeRequest(pastedToken: String, for context: ProbeContext) -> StepRequest? { nil }

    public func pastedSession(_ token: String, for context: ProbeContext, now: Date) -> ChannelSession {
        ChannelSession(values: ["access_token": token])
    }
}

/// A token answer that gave no tokens: the platform's words and what to do.
public struct TokenGrantError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
