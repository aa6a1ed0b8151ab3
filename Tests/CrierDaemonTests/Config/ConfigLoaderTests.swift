import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

@Suite struct ConfigLoaderTests {
    /// Four channels, each with one thing wrong: a URL and three secrets of every kind. One load
    /// reports all four, each at the line to fix (the `secret:` line, not the channel's), in order.
    static let brokenEverywhere = """
        timezone: UTC
        channels:
          ops:
            platform: webhook
            url: ftp://hooks.example.com/ops
          announcements:
            platform: webhook
            url: https://hooks.example.com/announce

            secret: env:CRIER_TEST_NOT_SET
          audit:
            platform: webhook
            url: https://hooks.example.com/audit
            secret: file:/nonexistent/crier-secret
          team:
            platform: webhook
            # the signing secret comes from systemd
            secret: credential:team-signing
            url: https://hooks.example.com/team
        """

    @Test func listsTheFilesProblemsAndEverySecretsProblemAtOnceEachAtItsOwnLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Self.brokenEverywhere, to: "crier.yml")
        let failure = try #require(ConfigLoader(environment: [:]).load(path: path).failure)
        let found = failure.problems.map { "\($0.line ?? 0) \($0.field)" }
        #expect(found == [
            "5 channels.ops.url", "10 channels.announcements.secret", "14 channels.audit.secret", "18 channels.team.secret",
        ])
        #expect(failure.problems[1].message.contains("CRIER_TEST_NOT_SET is not set"))
        #expect(failure.problems[2].message.contains("no such file"))
        #expect(failure.problems[3].message.contains("CREDENTIALS_DIRECTORY"))
        #expect(failure.description.contains("crier.yml:10: channels.announcements.secret:"))
    }

    @Test func aMalformedSigningSecretPointsAtItsLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("channels:\n  ops:\n    platform: webhook\n    secret: env:S\n    url: https://x.example\n", to: "crier.yml")
        let failure = try #require(ConfigLoader(environment: ["S": "not-whsec"]).load(path: path).failure)
        #expect(failure.problems.map(\.line) == [4])
        #expect(failure.problems.first?.message.contains("whsec_") == true)
    }

    @Test func aRelativeQueueIsRelativeToTheConfigFilesDirectory() throws {
        let directory = TemporaryDirectory()
        let root = (directory.path as NSString).standardizingPath
        let path = directory.write("queue: spool/posts\nchannels:\n  ops: { platform: webhook, url: \"https://x.example\" }\n",
                                   to: "etc/crier.yml")
        let loader = ConfigLoader(environment: [:], currentDirectory: "/")
        let loaded = try loader.load(path: path).get()
        #expect(loaded.runtime.config.queue == root + "/etc/spool/posts")
        #expect(try loader.loadWithoutSecrets(path: path).get().config.queue == root + "/etc/spool/posts")

        #expect(ConfigLoader.queuePath("/var/spool/crier", configPath: "/etc/crier/crier.yml", currentDirectory: "/tmp") == "/var/spool/crier")
        #expect(ConfigLoader.queuePath("queue", configPath: "/etc/crier/crier.yml", currentDirectory: "/tmp") == "/etc/crier/queue")
        #expect(ConfigLoader.queuePath("queue", configPath: "crier.yml", currentDirectory: "/srv/site") == "/srv/site/queue")
        #expect(ConfigLoader.queuePath("../q", configPath: "conf/crier.yml", currentDirectory: "/srv/site") == "/srv/site/q")
        #expect(ConfigLoader.queuePath("./q", configPath: "./crier.yml", currentDirectory: "/srv") == "/srv/q")
    }

    static let socialChannel = """
        channels:
          ops:
            platform: webhook
            url: https://hooks.example.com/ops
          social:
            platform: threads
            url: https://graph.threads.net
            user_id: "1789"
            client_secret: env:X_CLIENT_SECRET
        """

    @Test func everyChannelGetsItsPlatformsAdapterAndAMissingSecretIsAProblemOnItsLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Self.socialChannel, to: "crier.yml")
        let loaded = try ConfigLoader(environment: ["X_CLIENT_SECRET": "secret"]).load(path: path).get()
        #expect(loaded.runtime.channels["social"]?.adapter is GraphContainerAdapter)
        #expect(loaded.runtime.channels["ops"]?.adapter is WebhookAdapter)

        let failure = try #require(ConfigLoader(environment: [:]).load(path: path).failure)
        #expect(failure.problems.map { "\($0.line ?? 0) \($0.field)" } == ["9 channels.social.client_secret"])
    }

    @Test func anUnreadableConfigSaysWhy() throws {
        let directory = TemporaryDirectory()
        let missing = try #require(ConfigLoader().load(path: directory.path + "/nope.yml").failure)
        #expect(missing.description.contains("no such file; pass --config PATH or set CRIER_CONFIG"))
        let target = directory.write("channels: {}\n", to: "real.yml")
        symlink(target, directory.path + "/link.yml")
        let linked = try #require(ConfigLoader().load(path: directory.path + "/link.yml").failure)
        #expect(linked.description.contains("symbolic link"))
        #expect(!linked.description.contains("post"), "the message is about a config, not a post: \(linked.description)")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
