@testable import CrierCore
import Foundation
import Testing

@Suite struct ConfigParserTests {
    @Test func parsesAFullConfig() throws {
        let result = ConfigParser.parse("""
            queue: /var/spool/crier
            timezone: Europe/Berlin
            alerts: ops
            defaults: { expire: 6h, long: truncate }
            retry: { max_attempts: 5, base: 10s, max_delay: 10m }
            delivery: { max_in_flight: 20, timeout: 15s }
            channels:
              ops:
                platform: webhook
                url: https://hooks.example.com/crier
                secret: credential:ops-signing
              audit:
                platform: webhook
                url: http://127.0.0.1:9000/
                retry: { max_attempts: 2 }
            """)
        let config = try #require(result.config, "\(result.problems)")
        #expect(config.queue == "/var/spool/crier")
        #expect(config.timeZone.identifier == "Europe/Berlin")
        #expect(config.defaults.expire == 21_600)
        #expect(config.defaults.long == .truncate)
        #expect(config.delivery.maxInFlight == 20)
        #expect(config.delivery.timeout == 15)
        #expect(config.channelNames == ["ops", "audit"])
        #expect(config.channel(named: "ops")?.secrets["secret"] == .credential("ops-signing"))
        #expect(config.channel(named: "ops")?.retry == RetryPolicy(maxAttempts: 5, baseDelay: 10, maxDelay: 600))
        #expect(config.channel(named: "audit")?.retry.maxAttempts == 2)
        #expect(config.channel(named: "audit")?.retry.baseDelay == 10, "channel retry inherits the global one")
        #expect(result.problems.isEmpty)
    }

    @Test func listsEveryProblem() {
        let result = ConfigParser.parse("""
            timezone: Mars/Olympus
            alerts: nobody
            channels:
              Bad Name:
                platform: webhook
                url: https://x
              noplatform:
                url: https://x
              typo:
                platform: webhook
                url: ftp://x
                secrte: env:X
              later:
                platform: mastodon
                url: https://fosstodon.org
            """)
        #expect(result.config == nil)
        let text = result.problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("line 1: timezone: 'Mars/Olympus' is not a time zone"))
        #expect(text.contains("alerts: names channel 'nobody'"))
        #expect(text.contains("channel name 'Bad Name'"))
        #expect(text.contains("channels.noplatform: needs `platform:`"))
        #expect(text.contains("channels.typo.url: 'ftp://x' must start with https://"))
        #expect(text.contains("line 12: channels.typo.secrte: unknown key; did you mean 'secret'?"))
        #expect(!text.contains("mastodon delivery"), "a platform without an adapter is previewable: a warning, not a problem")
        let lines = result.problems.map { $0.line ?? Int.max }
        #expect(lines == lines.sorted(), "problems come in the order of the file: \(lines)")
    }

    @Test func anUnknownKeyWithoutASuggestionStillReadsAsASentence() {
        let result = ConfigParser.parse("channels:\n  ops:\n    platform: webhook\n    url: https://x\n    zzzzzz: 1\n")
        let problem = try? #require(result.problems.first { $0.field == "channels.ops.zzzzzz" })
        #expect(problem?.message.hasPrefix("unknown key (known keys: platform, url,") == true, "\(String(describing: problem))")
    }

    @Test func keepsTheLineOfEveryChannelKeyAndADraftDespiteProblems() throws {
        let result = ConfigParser.parse("""
            timezone: Nowhere/Land
            channels:
              announcements:
                platform: webhook
                url: https://example.com/a

                secret: env:ANNOUNCE_SECRET
            """)
        #expect(result.config == nil)
        let channel = try #require(result.draft.channel(named: "announcements"))
        #expect(channel.line == 3)
        #expect(channel.line(of: "secret") == 7)
        #expect(channel.line(of: "platform") == 4)
        #expect(channel.line(of: "missing") == 3, "a key that is not there falls back to the channel's line")
    }

    @Test func problemsWithoutALineComeAfterTheOthersInTheirOrder() {
        let problems = [
            FieldProblem(line: nil, field: "a", message: "whole file"), FieldProblem(line: 9, field: "b", message: "late"),
            FieldProblem(line: 2, field: "c", message: "early"), FieldProblem(line: 9, field: "d", message: "late, second"),
        ]
        #expect(problems.sortedByLine().map(\.field) == ["c", "b", "d", "a"])
    }

    @Test func warnsAboutInlineSecrets() {
        let result = ConfigParser.parse("channels:\n  ops:\n    platform: webhook\n    url: https://x\n    secret: whsec_abc\n")
        #expect(result.config != nil)
        #expect(result.warnings.contains { $0.field == "channels.ops.secret" && $0.message.contains("prefer env:") })
    }

    @Test func secretReferencesNeverPrintValues() {
        #expect(SecretReference("env:TOKEN") == .environment("TOKEN"))
        #expect(SecretReference("file:/etc/x") == .file("/etc/x"))
        #expect(SecretReference("credential:ops") == .credential("ops"))
        #expect(SecretReference("hunter2").description == "an inline value")
        #expect("\(Secret("hunter2"))" == "<redacted>")
    }
}

@Suite struct SuggestionTests {
    @Test func suggestsCloseKnownWordsIncludingSwappedLetters() {
        #expect(FieldReader.editDistance("alpah", "alpha") == 1)
        #expect(FieldReader.closest(to: "alpah", in: ["alpha", "beta"]) == "alpha")
        #expect(FieldReader.closest(to: "secrte", in: ["secret", "url"]) == "secret")
        #expect(FieldReader.closest(to: "zzz", in: ["secret", "url"]) == nil)
    }
}
