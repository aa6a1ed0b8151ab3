import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

@Suite struct PreviewPlannerTests {
    static let now = Date(timeIntervalSince1970: 1_795_334_400) // Sunday 2026-11-22 08:00Z

    /// A channel whose secrets are not on this machine (a pull request's CI job) is planned and
    /// counted the platform's way: the preview never reads secrets.
    @Test func aChannelIsPreviewedWithoutItsSecrets() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse("""
            timezone: UTC
            channels:
              social: { platform: threads, url: "https://graph.threads.net", user_id: "1789", client_secret: "env:T_SECRET" }
            """).config)
        let body = String(repeating: "a", count: 211)
        directory.write("---\nchannels: [social]\n---\n\(body)\n", to: "queue/launch.md")
        let report = try PreviewPlanner(config: config, layout: QueueLayout(root: directory.path + "/queue")).plan(paths: [], now: Self.now)
        let delivery = try #require(report.posts.first?.deliveries.first)
        #expect(delivery.platform == .threads)
        #expect(delivery.parts.map(\.length) == [211])
        #expect(delivery.parts.first?.limit == 500)
        #expect(delivery.errors.isEmpty)
        #expect(delivery.at == Self.now)
        #expect(!report.hasErrors)
    }

    @Test func aMissingQueueIsAnErrorUnlessFilesAreNamed() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse("channels:\n  ops: { platform: webhook, url: \"http://127.0.0.1:9/\" }\n").config)
        let planner = PreviewPlanner(config: config, layout: QueueLayout(root: directory.path + "/typo"))
        #expect(planner.queueIsMissing)
        #expect {
            try planner.plan(paths: [], now: Self.now)
        } throws: { error in
            (error as! DaemonError).message.contains("typo does not exist; pass --queue DIR")
        }
        let post = directory.write("---\nchannels: [ops]\n---\nFrom a pull request.\n", to: "new.md")
        let report = try planner.plan(paths: [post], now: Self.now)
        #expect(report.posts.count == 1)
        #expect(!report.hasErrors)
    }

    @Test func anUnreadableFileSaysWhy() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse("channels:\n  ops: { platform: webhook, url: \"http://127.0.0.1:9/\" }\n").config)
        try FileManager.default.createDirectory(atPath: directory.path + "/queue", withIntermediateDirectories: true)
        let planner = PreviewPlanner(config: config, layout: QueueLayout(root: directory.path + "/queue"))
        #expect {
            try planner.plan(paths: [directory.path + "/none.md"], now: Self.now)
        } throws: { error in
            (error as! DaemonError).message == "cannot read \(directory.path)/none.md: No such file or directory"
        }
    }

    @Test func requestsAreShownWhenAskedWithSecretsAsPlaceholdersAndNeverRead() throws {
        let directory = TemporaryDirectory()
        // The secret's variable is not set: the preview must not need it, nor ever show a value.
        let config = try #require(ConfigParser.parse("""
            channels:
              ops: { platform: webhook, url: "http://127.0.0.1:9/hook", secret: "env:CRIER_TEST_UNSET_SECRET" }
            """).config)
        directory.write("---\nchannels: [ops]\n---\nShip it.\n", to: "queue/ship.md")
        var planner = PreviewPlanner(config: config, layout: QueueLayout(root: directory.path + "/queue"))
        let plain = try planner.plan(paths: [], now: Self.now)
        planner.includeRequests = true
        let detailed = try planner.plan(paths: [], now: Self.now)

        #expect(plain.posts.first?.deliveries.first?.parts.first?.request == nil)
        let request = try #require(detailed.posts.first?.deliveries.first?.parts.first?.request)
        #expect(request.step == "send")
        #expect(request.method == "POST")
        #expect(request.url == "http://127.0.0.1:9/hook")
        #expect(request.headers.contains(HTTPHeader("webhook-signature", "v1,<redacted>")))
        #expect(request.body.contains("\"text\":\"Ship it.\""))
        let json = String(decoding: PreviewJSON.encode(detailed), as: UTF8.self)
        #expect(json.contains("\"request\" : {"))
        #expect(!String(decoding: PreviewJSON.encode(plain), as: UTF8.self).contains("\"request\""))
    }
}
