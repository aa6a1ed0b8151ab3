import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// Every message true, every hint working, on the real binary: what a new user meets in the first
/// hour (check, preview, enqueue, status, receive, usage errors).
@Suite(.serialized) struct MessagesEndToEndTests {
    /// Runs the binary in `directory` (for relative paths), returning status, stdout and stderr.
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:])
        throws -> (status: Int32, output: String, error: String) {
        let process = CrierProcess(arguments, environment: environment, directory: directory)
        try process.start()
        let output = process.readOutput()
        #expect(process.waitForExit(timeout: 60), "crier \(arguments) did not exit")
        return (process.exitStatus ?? -1, output, process.standardError)
    }

    // MARK: crier check

    /// A URL problem and three secret problems (env:, file:, credential:) are listed in one run,
    /// sorted by line, each secret at its `secret:` line rather than the channel's.
    @Test func checkListsEveryProblemAtOnceEachAtTheSecretsLine() throws {
        let installation = try Installation(channels: [])
        installation.writeConfig(raw: """
            timezone: UTC
            channels:
              ops:
                platform: webhook
                url: ftp://hooks.example.com/ops
              announcements:
                platform: webhook
                url: https://hooks.example.com/announce
                # signed
                secret: env:CRIER_E2E_NOT_SET
              audit:
                platform: webhook
                url: https://hooks.example.com/audit
                secret: file:/nonexistent/crier-secret
              team:
                platform: webhook
                url: https://hooks.example.com/team
                secret: credential:team-signing
            """)
        let result = try CrierProcess.run(["check", "--config", installation.configPath], environment: ["CREDENTIALS_DIRECTORY": ""])
        #expect(result.status == 1)
        let lines = result.output.split(separator: "\n").map(String.init)
        let places = lines.compactMap { line -> String? in
            guard let range = line.range(of: "crier.yml:") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != " " })
        }
        #expect(places == ["5:", "10:", "14:", "18:"], "\(result.output)")
        #expect(lines[1].contains("channels.announcements.secret: environment variable CRIER_E2E_NOT_SET is not set"))
        #expect(lines[2].contains("channels.audit.secret: file:/nonexistent/crier-secret: cannot read /nonexistent/crier-secret: no such file"))
        #expect(lines[3].contains("channels.team.secret: credential:team-signing needs $CREDENTIALS_DIRECTORY"))
        #expect(result.error.contains("4 problems in"))
    }

    /// A queue path that names a file is a problem of `check`, not "OK".
    @Test func checkSaysAQueueThatIsAFileIsNotADirectory() throws {
        let installation = try Installation(channels: [])
        let file = installation.directory.write("not a queue\n", to: "queue-file")
        installation.writeConfig(raw: """
            queue: \(file)
            timezone: UTC
            channels:
              ops:
                platform: webhook
                url: http://127.0.0.1:9/ops
            """)
        let result = try CrierProcess.run(["check", "--config", installation.configPath])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("queue-file is not a directory; point `queue:` (or --queue) at a directory"), "\(result.output)")
        #expect(!result.output.contains(": OK"))
    }

    // MARK: secrets that are not on this machine

    static let socialConfig = """
        timezone: UTC
        channels:
          social:
            platform: threads
            url: https://graph.threads.net
            user_id: "1789"
            client_secret: env:CRIER_E2E_X_SECRET
        """

    @Test func aChannelWhoseSecretIsNotHereIsPreviewedButCheckAndRunRefuseIt() throws {
        let installation = try Installation(channels: [])
        installation.writeConfig(raw: "queue: \(installation.queue)\n" + Self.socialConfig)
        let text = String(repeating: "a", count: 211)
        installation.directory.write("---\nchannels: [social]\n---\n\(text)\n", to: "queue/launch.md")

        let check = try CrierProcess.run(["check", "--config", installation.configPath], environment: ["CRIER_E2E_X_SECRET": ""])
        #expect(check.status == 1, "\(check.output)\(check.error)")
        #expect(check.output.contains("crier.yml:8: channels.social.client_secret: environment variable CRIER_E2E_X_SECRET is not set"), "\(check.output)")

        let preview = try installation.crier(["preview", "--now", "2026-11-22 08:00"])
        #expect(preview.status == 0, "\(preview.output)\(preview.error)")
        #expect(preview.output.contains("social (threads) · launch"), "\(preview.output)")
        #expect(preview.output.contains("211/500"), "\(preview.output)")

        let run = try CrierProcess.run(["run", "--once", "--config", installation.configPath], environment: ["CRIER_E2E_X_SECRET": ""])
        #expect(run.status == 1)
        #expect(run.error.contains("channels.social.client_secret"), "stderr: \(run.error) stdout: \(run.output)")
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/launch.md"), "nothing was filed")
    }

    // MARK: crier preview

    /// An installation whose config has one channel, given as its YAML lines under `channels:`.
    static func installation(channel yaml: String) throws -> Installation {
        let installation = try Installation(channels: [])
        installation.writeConfig(raw: "queue: \(installation.queue)\ntimezone: UTC\nchannels:\n" + yaml + "\n")
        return installation
    }

    /// A channel with no credential keys at all (set up before its account) is previewed with a
    /// warning naming what is missing; `check` refuses it at the channel's line.
    @Test func aChannelWithoutAnyCredentialKeysIsPreviewedWithAWarning() throws {
        let installation = try Self.installation(channel: """
              social:
                platform: x
                url: https://api.x.com
            """)
        let text = String(repeating: "a", count: 211)
        installation.directory.write("---\nchannels: [social]\n---\n\(text)\n", to: "queue/launch.md")

        let preview = try installation.crier(["preview", "--now", "2026-11-22 08:00"])
        #expect(preview.status == 0, "\(preview.output)\(preview.error)")
        #expect(preview.output.contains("211/280"), "\(preview.output)")
        #expect(preview.error.contains("crier.yml:4: warning: channels.social"), "\(preview.error)")
        #expect(preview.error.contains("crier check and crier run refuse the channel"), "\(preview.error)")

        let check = try installation.crier(["check"])
        #expect(check.status == 1, "\(check.output)")
        #expect(check.output.contains("crier.yml:4: channels.social"), "\(check.output)")
        #expect(!check.output.contains("warning: channels.social"), "\(check.output)")
    }

    /// A mode given twice is still a problem of the file, for the preview too.
    @Test func aChannelThatMixesTwoModesIsNotPreviewed() throws {
        let installation = try Self.installation(channel: """
              chat:
                platform: discord
                webhook_url: env:CRIER_E2E_DISCORD_HOOK
                token: env:CRIER_E2E_DISCORD_TOKEN
            """)
        let preview = try installation.crier(["preview", "--now", "2026-11-22 08:00"])
        #expect(preview.status == 1, "\(preview.output)\(preview.error)")
        #expect(preview.error.contains("not both"), "\(preview.error)")
    }

    /// A mistyped queue must not let a CI gate pass.
    @Test func previewOfAMissingQueueOrConfigFails() throws {
        let installation = try Installation(channels: ["alpha"])
        let missingQueue = try installation.crier(["preview", "--queue", installation.directory.path + "/nonexistent"])
        #expect(missingQueue.status == 1)
        #expect(missingQueue.error.contains("nonexistent does not exist; pass --queue DIR"), "\(missingQueue.error)")
        #expect(!missingQueue.output.contains("Nothing to preview"))

        let missingConfig = try CrierProcess.run(["preview", "--config", installation.directory.path + "/none.yml"])
        #expect(missingConfig.status == 1)
        #expect(missingConfig.error.contains("none.yml: no such file; pass --config PATH or set CRIER_CONFIG"), "\(missingConfig.error)")
    }

    // MARK: formats are documented in the repository

    @Test func helpTextsPointAtFormatsThatExistInTheRepository() throws {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        let formats = root.appendingPathComponent("docs/formats.md").path
        let document = try String(contentsOfFile: formats, encoding: .utf8)
        for heading in ["## Preview JSON", "## Status JSON", "## Receipt", "## Webhook event"] {
            #expect(document.contains(heading), "docs/formats.md has no '\(heading)'")
        }
        let readme = try String(contentsOfFile: root.appendingPathComponent("README.md").path, encoding: .utf8)
        #expect(readme.contains("docs/formats.md"))
        #expect(!readme.contains("SPEC.md") && !readme.contains("as in SPEC"), "README points at a SPEC that is not in the repository")
        for command in ["preview", "status", "receive"] {
            let help = try CrierProcess.run([command, "--help"])
            #expect(help.output.contains("docs/formats.md"), "crier \(command) --help: \(help.output)")
            #expect(!help.output.contains("SPEC"), "crier \(command) --help: \(help.output)")
        }
    }

    // MARK: crier enqueue

    /// 407/100 under `long: reject` is an error in the preview, so enqueue refuses it too.
    @Test func enqueueRefusesWhatThePreviewCallsAnError() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.writeConfig(raw: ConfigText.webhooks(queue: installation.queue, channels: [("alpha", installation.sinks["alpha"]!.url)])
            + "    limit: 100\n")
        let text = String(repeating: "x", count: 407)
        let draft = installation.directory.write("---\nchannels: [alpha]\nlong: reject\n---\n\(text)\n", to: "draft.md")
        let preview = try installation.crier(["preview", draft])
        #expect(preview.status == 1)
        #expect(preview.output.contains("407/100"))
        let enqueue = try installation.crier(["enqueue", draft])
        #expect(enqueue.status == 1)
        #expect(enqueue.error.contains("draft.md: alpha: too long for alpha (webhook): 407/100 (long: reject)"), "\(enqueue.error)")
        #expect(!FileManager.default.fileExists(atPath: installation.queue + "/draft.md"))

        let missing = try installation.crier(["enqueue", installation.directory.path + "/none.md"])
        #expect(missing.status == 1)
        #expect(missing.error.contains("none.md: no such file"), "\(missing.error)")
    }

    // MARK: a relative queue

    @Test func aRelativeQueueIsRelativeToTheConfigFile() throws {
        let directory = TemporaryDirectory(prefix: "crier-relative")
        directory.write("queue: spool\ntimezone: UTC\nchannels:\n  alpha: { platform: webhook, url: \"http://127.0.0.1:9/\" }\n",
                        to: "etc/crier.yml")
        let elsewhere = directory.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let post = directory.write("---\nchannels: [alpha]\n---\nRelative.\n", to: "elsewhere/relative.md")
        let enqueue = try Self.run(["enqueue", post, "--config", "../etc/crier.yml"], in: elsewhere)
        #expect(enqueue.status == 0, "\(enqueue.error)")
        #expect(FileManager.default.fileExists(atPath: directory.path + "/etc/spool/relative.md"))
        #expect(!FileManager.default.fileExists(atPath: elsewhere + "/spool"))
        let status = try Self.run(["status", "--json", "--config", "../etc/crier.yml"], in: elsewhere)
        #expect(status.status == 0, "\(status.error)")
        #expect(status.output.contains("etc/spool\""), "\(status.output)")
    }

    // MARK: crier status

    @Test func statusShowsAPausedChannelWithISOTimesAndTheUidsName() throws {
        let installation = try Installation(channels: ["alpha", "beta"])
        let pause = try CrierProcess.run(["pause", "alpha", "--reason", "review", "--config", installation.configPath],
                                         environment: ["USER": "", "SUDO_USER": ""])
        #expect(pause.status == 0, "\(pause.error)")
        let expectedName = getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(getuid())"

        let human = try installation.crier(["status"])
        #expect(human.status == 0, "\(human.error)")
        #expect(!human.output.contains("paused    no"), "\(human.output)")
        #expect(human.output.contains("paused    alpha (other channels send)"), "\(human.output)")
        #expect(human.output.contains("alpha paused by \(expectedName) at 20"), "\(human.output)")
        #expect(!human.output.contains("unknown"))

        let json = try installation.crier(["status", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let record = try #require((report["pauses"] as? [[String: Any]])?.first)
        let pausedAt = try #require(record["paused_at"] as? String, "paused_at is a string: \(json.output)")
        #expect(TimeParser.parse(pausedAt, timeZone: TimeZone(identifier: "UTC")!) != nil && pausedAt.hasSuffix("Z"),
                "paused_at '\(pausedAt)' is ISO 8601 UTC")
        #expect(record["paused_by"] as? String == expectedName)
        #expect(report["paused_channels"] as? [String] == ["alpha"])
    }

    // MARK: crier receive

    @Test func receiveSaysNotCheckedForARequestWithoutAnyWebhookHeaders() throws {
        let (receiver, port) = try ReceiveEndToEndTests.startReceiver(["--count", "1"])
        #expect(try ReceiveEndToEndTests.post(port: port, body: "{}") == "HTTP/1.1 200 OK")
        let output = ReceiveEndToEndTests.finish(receiver)
        #expect(output.contains("signature not checked"), "\(output)")
        #expect(!output.contains("signature ok"), "\(output)")

        let (checking, checkingPort) = try ReceiveEndToEndTests.startReceiver(["--count", "1", "--secret", WebhookSink.secret])
        #expect(try ReceiveEndToEndTests.post(port: checkingPort, body: "{}") == "HTTP/1.1 401 Unauthorized")
        let checked = ReceiveEndToEndTests.finish(checking)
        #expect(checked.contains("signature FAILED (missing headers: webhook-id, webhook-timestamp, webhook-signature)"), "\(checked)")
    }

    // MARK: usage errors

    @Test func usageErrorsExitTwoWithTheSubcommandsUsage() throws {
        let bare = try CrierProcess.run([])
        #expect(bare.status == 2)
        #expect(bare.error.contains("USAGE: crier <subcommand>"), "\(bare.error)")

        let secret = try CrierProcess.run(["receive", "--secret", "nope"])
        #expect(secret.status == 2)
        #expect(secret.error.contains("whsec_"))
        #expect(secret.error.contains("Usage: crier receive"), "\(secret.error)")

        let installation = try Installation(channels: ["alpha"])
        let now = try installation.crier(["preview", "--now", "tomorrow"])
        #expect(now.status == 2)
        #expect(now.error.contains("'YYYY-MM-DD HH:MM'"), "\(now.error)")
        #expect(now.error.contains("Usage: crier preview"), "\(now.error)")
        #expect(!now.error.contains("Usage: crier <subcommand>"))

        let draft = installation.directory.write("---\nchannels: [alpha]\n---\nx\n", to: "draft.md")
        let at = try installation.crier(["enqueue", draft, "--at", "soon"])
        #expect(at.status == 2)
        #expect(at.error.contains("'YYYY-MM-DD HH:MM'"), "\(at.error)")
        #expect(at.error.contains("Usage: crier enqueue"), "\(at.error)")
    }

    // MARK: post errors

    @Test func postErrorsComeSortedByLineWithUTCAndJSONLines() throws {
        let installation = try Installation(channels: ["alpha"])
        let markdown = installation.directory.write("---\nlong: sometimes\nat: never\nchannels: [nope]\n---\nx\n", to: "bad.md")
        let json = installation.directory.write("{\n  \"channels\": [\"alpha\"]\n  \"text\": \"x\"\n}\n", to: "bad.json")
        let result = try installation.crier(["preview", "--json", markdown, json])
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let posts = try #require(report["posts"] as? [[String: Any]])
        let errors = posts.map { $0["errors"] as? [String] ?? [] }
        #expect(errors.count == 2)
        let markdownErrors = try #require(errors.first { $0.count == 3 })
        #expect(markdownErrors.map { $0.prefix(7) } == ["line 2:", "line 3:", "line 4:"], "\(markdownErrors)")
        #expect(markdownErrors[1].contains("for UTC time") && !markdownErrors[1].contains("GMT"))
        let jsonErrors = try #require(errors.first { $0.count == 1 })
        #expect(jsonErrors[0].hasPrefix("line 3: not valid JSON"), "\(jsonErrors)")
    }
}
