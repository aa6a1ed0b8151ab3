import CrierCore
import Foundation

/// `crier auth CHANNEL`: obtains a channel's user token and stores it as the channel's session in the
/// journal (the token store; `.crier/` is 0700), where the daemon picks it up within a second.
/// Either OAuth 2 authorization code with PKCE and a loopback redirect (the adapter names the URLs),
/// or a pasted token, exchanged for a long-lived one where the platform allows.
public struct TokenGrant: Sendable {
    public let channelName: String
    private let adapter: any TokenGrantingAdapter
    private let context: ProbeContext
    private let journal: any Journal
    private let transport: any Transport
    private let controlStamp: String?

    /// Fails when the channel's platform does not hand out user tokens (its credentials live in
    /// crier.yml).
    public init(channel: ResolvedChannel, journal: any Journal, transport: any Transport, controlStamp: String?) throws(DaemonError) {
        guard let adapter = channel.adapter as? any TokenGrantingAdapter else {
            throw DaemonError("channel '\(channel.config.name)' (\(channel.config.platform.rawValue)) does not use `crier auth`: "
                              + "its credentials are the secrets named in crier.yml")
        }
        channelName = channel.config.name
        self.adapter = adapter
        let stored = (try? journal.sessions())?[channel.config.name] ?? .none
        context = ProbeContext(channel: channel.config, secrets: channel.secrets, session: stored)
        self.journal = journal
        self.transport = transport
        self.controlStamp = controlStamp
    }

    /// Stores a pasted token (exchanged for a long-lived one first where the adapter says so).
    public func storePasted(_ token: String, now: Date = Date()) throws(DaemonError) -> ChannelSession {
        let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw DaemonError("no token given: paste it after --token, or pass --token - and paste it on standard input") }
        if let request = adapter.exchangeRequest(pastedToken: token, for: context) {
            return try exchange(request, now: now)
        }
        return try store(adapter.pastedSession(token, for: context, now: now))
    }

    /// The OAuth 2 flow: prints the URL to open (through `announce`), waits for the redirect on
    /// `listener` or a pasted redirect address on `input`, checks `state`, exchanges the code.
    public func authorize(listener: OAuthCallbackListener, input: Int32, timeout: TimeInterval = 600,
                          announce: (String) -> Void) throws(DaemonError) -> ChannelSession {
        let pkce = PKCE.random()
        let state = PKCE.random().verifier
        guard let url = adapter.authorizationURL(for: context, redirectURI: listener.redirectURI, state: state,
                                                 codeChallenge: pkce.challenge) else {
            throw DaemonError("channel '\(channelName)' (\(context.channel.platform.rawValue)) takes a pasted token: "
                              + "`crier auth \(channelName) --token TOKEN`")
        }
        announce("""
            Open this address in a browser and grant access:

              \(url)

            The browser is then sent to \(listener.redirectURI). If crier runs on another machine (over SSH) \
            and that page does not load, copy the address from the browser's address bar and paste it here:
            """)
        let query: String
        switch listener.wait(input: input, timeout: timeout) {
        case .redirect(let received):
            query = received
        case .pasted(let line):
            query = line.split(separator: "?", maxSplits: 1).last.map(String.init) ?? line
        case .inputClosed:
            throw DaemonError("standard input closed before the redirect arrived; run `crier auth \(channelName)` again")
        case .timedOut:
            throw DaemonError("no redirect arrived within \(Int(timeout / 60)) minutes; run `crier auth \(channelName)` again")
        }
        let fields = Self.queryFields(query)
        if let error = fields["error"] {
            let detail = fields["error_description"].map { ": \($0)" } ?? ""
            throw DaemonError("the platform refused the authorization (\(error)\(detail)); nothing was stored")
        }
        guard fields["state"] == state else {
            throw DaemonError("the redirect's state does not match this run's (an old or someone else's link); "
                              + "run `crier auth \(channelName)` again and use the address it prints")
        }
        guard let code = fields["code"], !code.isEmpty else {
            throw DaemonError("the redirect carries no authorization code; paste the whole address the browser shows")
        }
        return try exchange(adapter.tokenRequest(code: code, codeVerifier: pkce.verifier, redirectURI: listener.redirectURI, for: context),
                            now: Date())
    }

    /// What was granted, for the terminal: scopes and expiry, never a value.
    public static func summary(_ session: ChannelSession, now: Date = Date()) -> String {
        var parts: [String] = []
        if let scope = session.values["scope"], !scope.isEmpty { parts.append("granted: \(scope)") }
        if let expiresAt = session.expiresAt {
            let days = Int(expiresAt.timeIntervalSince(now) / 86_400)
            let renewal = session.values["refresh_token"] != nil ? "refreshed automatically" : "not refreshable: run `crier auth` again before then"
            parts.append("expires \(TimestampFormat.string(expiresAt))\(days >= 1 ? " (in \(days) days)" : ""), \(renewal)")
        } else {
            parts.append("no expiry given")
        }
        return parts.joined(separator: "; ")
    }

    static func queryFields(_ query: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard let name = halves.first?.removingPercentEncoding else { continue }
            let value = halves.count > 1 ? halves[1].replacingOccurrences(of: "+", with: " ") : ""
            fields[name] = value.removingPercentEncoding ?? value
        }
        return fields
    }

    private func exchange(_ step: StepRequest, now: Date) throws(DaemonError) -> ChannelSession {
        let result = transport.sendAndWait(step.request, timeout: 60)
        let response: TransportResponse
        switch result {
        case .failure(let error):
            let redacted = SecretRedactor(context.secrets.values).redact(error.description)
            throw DaemonError("the token request to \(Self.host(of: step.request.url)) failed: \(redacted); nothing was stored")
        case .success(let answer):
            response = answer
        }
        switch adapter.readTokens(response, for: context, now: now) {
        case .success(let session):
            return try store(session)
        case .failure(let problem):
            throw DaemonError("\(SecretRedactor(context.secrets.values).redact(problem.message)); nothing was stored")
        }
    }

    private func store(_ session: ChannelSession) throws(DaemonError) -> ChannelSession {
        var stored = session
        stored.generation = context.session.generation + 1
        stored.needsRenewal = false
        stored.isPlaceholder = false
        do {
            try journal.commitNow([.storeSession(channel: channelName, stored)])
            if let controlStamp {
                try FileOperations.writeAtomically(Data("\(Date().timeIntervalSince1970)\n".utf8), to: controlStamp)
            }
        } catch {
            throw DaemonError("cannot store the token in the journal: \(error)")
        }
        return stored
    }

    private static func host(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "the platform" }
        return "\(components.scheme ?? "https")://\(host)"
    }
}
