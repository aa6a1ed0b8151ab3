import CrierCore
import CrierCurl
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// `crier auth`: the OAuth 2 code flow with PKCE through a real loopback redirect (or a pasted
/// address), and pasted tokens; what is stored is the channel's session in a real journal.
@Suite struct TokenGrantTests {
    func grant(_ transport: AuthFakeTransport, journal: any Journal) throws -> TokenGrant {
        let config = ChannelConfig(name: "x", platform: .x, url: "http://127.0.0.1:9")
        return try TokenGrant(channel: ResolvedChannel(config: config, secrets: [:], adapter: AuthFakeAdapter()), journal: journal,
                              transport: transport, controlStamp: nil)
    }

    /// Runs `authorize` on a thread; `browser` gets the authorization URL the user is shown.
    func authorize(_ grant: TokenGrant, listener: OAuthCallbackListener, input: Int32,
                   browser: @escaping @Sendable (String) -> Void) -> Result<ChannelSession, DaemonError> {
        let result = Mutex<Result<ChannelSession, DaemonError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let outcome = Result { () throws(DaemonError) in
                try grant.authorize(listener: listener, input: input, timeout: 20) { message in
                    let url = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("http://127.0.0.1:9/authorize") }
                    if let url { browser(url) }
                }
            }
            result.withLock { $0 = outcome }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.withLock { $0! }
    }

    @Test func theBrowserRedirectIsExchangedWithTheVerifierAndStored() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        let fake = AuthFakeTransport()
        let listener = try OAuthCallbackListener(port: 0)
        let curl = CurlTransport(options: TransportOptions(connectTimeout: 5, totalTimeout: 10, maxConcurrentTransfers: 2))
        defer { curl.shutdown(graceSeconds: 0) }
        let favicon = Mutex<Int?>(nil)

        let outcome = authorize(try grant(fake, journal: journal), listener: listener, input: -1) { url in
            fake.authorizationShown(url)
            let state = AuthFakeTransport.fields(URLComponents(string: url)!.query!)["state"]!
            DispatchQueue.global().async {
                // A browser asks for a favicon too: answered 404 and waited past.
                let icon = curl.sendAndWait(OutgoingRequest(method: "GET", url: "http://127.0.0.1:\(listener.port)/favicon.ico"), timeout: 10)
                favicon.withLock { $0 = try? icon.get().status }
                _ = curl.sendAndWait(OutgoingRequest(method: "GET", url: "\(listener.redirectURI)?state=\(state)&code=\(AuthFakeTransport.code)"),
                                     timeout: 10)
            }
        }

        let session = try outcome.get()
        #expect(session["access_token"] == "at-1")
        #expect(session["refresh_token"] == "rt-1")
        #expect(favicon.withLock { $0 } == 404)
        let stored = try journal.sessions()["x"]
        #expect(stored?["access_token"] == "at-1")
        #expect(stored?.generation == 1)
        #expect(TokenGrant.summary(session).hasPrefix("granted: tweet.write offline.access; expires "))
        #expect(!TokenGrant.summary(session).contains("at-1"))
    }

    @Test func aPastedRedirectAddressWorksOverSSH() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        let fake = AuthFakeTransport()
        let listener = try OAuthCallbackListener(port: 0)
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writer = ends[1]
        defer { close(ends[0]) }

        let outcome = authorize(try grant(fake, journal: journal), listener: listener, input: ends[0]) { url in
            fake.authorizationShown(url)
            let state = AuthFakeTransport.fields(URLComponents(string: url)!.query!)["state"]!
            let line = "  http://127.0.0.1:\(listener.port)/callback?code=\(AuthFakeTransport.code)&state=\(state)  \n"
            _ = line.withCString { write(writer, $0, strlen($0)) }
            close(writer)
        }

        #expect(try outcome.get()["access_token"] == "at-1")
        #expect(try journal.sessions()["x"]?["refresh_token"] == "rt-1")
    }

    @Test func aRedirectWithAnotherStateIsRefusedAndNothingIsStored() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        let fake = AuthFakeTransport()
        let listener = try OAuthCallbackListener(port: 0)
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writer = ends[1]
        defer { close(ends[0]) }

        let outcome = authorize(try grant(fake, journal: journal), listener: listener, input: ends[0]) { url in
            fake.authorizationShown(url)
            let line = "http://127.0.0.1:\(listener.port)/callback?code=\(AuthFakeTransport.code)&state=forged\n"
            _ = line.withCString { write(writer, $0, strlen($0)) }
            close(writer)
        }

        #expect(throws: DaemonError.self) { try outcome.get() }
        if case .failure(let error) = outcome { #expect(error.message.contains("state does not match")) }
        #expect(fake.exchanges == 0)
        #expect(try journal.sessions().isEmpty)
    }

    @Test func aPastedTokenIsExchangedForALongLivedOne() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        let session = try grant(AuthFakeTransport(), journal: journal).storePasted("  short-lived \n")
        #expect(session["access_token"] == "long-short-lived")
        #expect(try journal.sessions()["x"]?.expiresAt != nil)
    }

    @Test func aPlatformWithoutUserTokensSaysWhereItsCredentialsAre() throws {
        let directory = TemporaryDirectory()
        let journal = try SQLiteJournal(path: directory.path + "/journal.sqlite")
        let config = ChannelConfig(name: "ops", platform: .webhook, url: "http://127.0.0.1:9")
        #expect {
            try TokenGrant(channel: ResolvedChannel(config: config, secrets: [:], adapter: WebhookAdapter()), journal: journal,
                           transport: AuthFakeTransport(), controlStamp: nil)
        } throws: { error in
            (error as? DaemonError)?.message.contains("does not use `crier auth`") ?? false
        }
    }
}
