import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The real `crier` binary delivering to the strict fake Telegram Bot API.
@Suite(.serialized) struct TelegramEndToEndTests {
    static let token = "987654321:AAH_endToEnd-Token_abcdefghijklmnop"

    func installation(_ server: TelegramFakeServer) throws -> Installation {
        let installation = try Installation(channels: [])
        let token = installation.secretFile("secret-telegram", Self.token)
        installation.writeChatConfig("""
              news:
                platform: telegram
                url: \(server.url)
                token: \(token)
                chat: "@crier_news"
                topic: 7
                limit: 80
              gone:
                platform: telegram
                url: \(server.url)
                token: \(token)
                chat: "-1009999999999"

            """)
        return installation
    }

    static func server(fault: @escaping @Sendable (ReceivedHTTPRequest, Int) -> TelegramFakeServer.Fault? = { _, _ in nil }) throws -> TelegramFakeServer {
        try TelegramFakeServer(token: token, chats: [TelegramFakeServer.Chat(id: -1_001_234_567_890, username: "crier_news", topics: [7]),
                                                     TelegramFakeServer.Chat(id: -1_009_999_999_999)],
                               kickedFrom: [-1_009_999_999_999], fault: fault)
    }

    static let thread = "---\nchannels: [news, gone]\n---\nFirst the **news** & what changed in it. Then the second part of it, "
        + "which is long enough. And a third part closes the thread for good.\n"

    @Test func aThreadArrivesInOrderAsRepliesWhileABotRemovedFromAChatFailsThatChannelOnly() throws {
        let server = try Self.server()
        defer { server.stop() }
        let installation = try installation(server)
        let check = try installation.crier(["check"])
        #expect(check.status == 0, "crier check accepts telegram channels: \(check.output) \(check.error)")
        installation.directory.write(Self.thread, to: "queue/launch.md")
        let run = try installation.crier(["run", "--once", "--log-level", "debug"])
        #expect(server.violations.isEmpty, "\(server.violations)")
        let messages = server.messages.filter { $0.chatID == -1_001_234_567_890 }
        #expect(messages.count == 3, "\(messages)")
        #expect(messages.map(\.replyTo) == [nil, messages[0].id, messages[1].id], "each part replies to the previous one")
        #expect(messages.allSatisfy { $0.topic == 7 })
        #expect(messages.first?.text.contains("<b>news</b> &amp; what") == true, "\(messages.first?.text ?? "")")
        let deliveries = installation.receiptDeliveries("launch", in: "failed")
        let news = deliveries.filter { $0["channel"] as? String == "news" }
        #expect(news.compactMap { $0["remote_url"] as? String } == messages.map { "https://t.me/crier_news/\($0.id)" })
        let gone = try #require(deliveries.first { $0["channel"] as? String == "gone" })
        #expect((gone["error"] as? String)?.contains("telegram channel 'gone': 403 Forbidden: bot was kicked") == true, "\(gone)")
        #expect((gone["error"] as? String)?.contains("add the bot to the chat") == true)
        let everything = run.output + run.error + installation.everythingWritten() + (try installation.crier(["status"])).output
        #expect(!everything.contains(Self.token) && !everything.contains("AAH_endToEnd"), "the bot token never appears in logs, receipts or status")
    }

    @Test func aLostAnswerIsHeldAsUnknownNotResentAndTheTokenStaysOutOfEverything() throws {
        // The answer to part 2 is lost after Telegram made the message.
        let server = try Self.server { request, index in index == 1 ? .dropAfterActing : nil }
        defer { server.stop() }
        let installation = try installation(server)
        installation.writeChatConfig("""
              news:
                platform: telegram
                url: \(server.url)
                token: \(installation.secretFile("secret-telegram", Self.token))
                chat: "@crier_news"
                topic: 7
                limit: 80

            """)
        installation.directory.write("---\nchannels: [news]\n---\n" + Self.thread.split(separator: "\n").last! + "\n", to: "queue/launch.md")
        let first = try installation.crier(["run", "--once", "--log-level", "debug"])
        #expect(server.messages.count == 2, "part 2 was made once and not sent again: \(server.messages.map(\.text))")
        let status = try installation.crier(["status"])
        #expect(status.output.contains("launch → news (part 2)"), "\(status.output)")
        #expect(status.output.contains("crier resolve launch --channel news"))
        let made = server.messages[1]
        let resolved = try installation.crier(["resolve", "launch", "--channel", "news", "--sent", "https://t.me/crier_news/\(made.id)"])
        #expect(resolved.status == 0, "\(resolved.error)")
        let second = try installation.crier(["run", "--once", "--dry-run", "--log-level", "debug"])
        let third = try installation.crier(["run", "--once", "--log-level", "debug"])
        #expect(server.messages.count == 3)
        #expect(server.messages.last?.replyTo == made.id, "part 3 replies to the message the operator found")
        #expect(installation.receiptDeliveries("launch", in: "sent").count == 3)
        let everything = [first.output, first.error, second.output, second.error, third.output, third.error, status.output,
                          installation.everythingWritten()].joined()
        #expect(second.error.contains("/bot<redacted>/sendMessage") || second.output.contains("/bot<redacted>/sendMessage")
                    || !everything.contains("/sendMessage"), "a logged request URL has its token redacted")
        #expect(!everything.contains(Self.token) && !everything.contains("AAH_endToEnd"), "the bot token never appears")
    }

    @Test func checkOnlineNamesTheBotAndChatOrWhatToDoAndNeverPosts() throws {
        let server = try Self.server()
        defer { server.stop() }
        let installation = try installation(server)
        let check = try installation.crier(["check", "--online"])
        #expect(check.status == 1, "a channel failed the check")
        #expect(check.output.contains("channel news: ok: ok as @crier_test_bot in @crier_news"), "\(check.output) \(check.error)")
        #expect(check.output.contains("channel gone: problem: telegram channel 'gone': 403"), "\(check.output)")
        #expect(check.output.contains("add the bot to the chat"))
        #expect(server.messages.isEmpty, "the check never posts")
        #expect(!(check.output + check.error).contains(Self.token))
    }
}
