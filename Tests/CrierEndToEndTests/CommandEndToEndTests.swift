import CrierCore
import CrierTestSupport
import Foundation
import Testing

@Suite(.serialized) struct CommandEndToEndTests {
    @Test func checkListsEveryProblemAndExitsOne() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.writeConfig(raw: """
            timezone: Nowhere/Special
            channels:
              alpha:
                platform: webhook
                url: https://example.com/hook
                secret: env:CRIER_TEST_MISSING_SECRET
              beta:
                platfrom: webhook
            """)
        let result = try installation.crier(["check"])
        #expect(result.status == 1)
        #expect(result.output.contains("crier.yml:1: timezone: 'Nowhere/Special' is not a time zone"))
        #expect(result.output.contains("channels.beta"))
    }

    @Test func checkReportsMissingSecretsWithoutPrintingValues() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.writeConfig(raw: """
            channels:
              alpha:
                platform: webhook
                url: https://example.com/hook
                secret: env:CRIER_TEST_MISSING_SECRET
            """)
        let result = try installation.crier(["check"])
        #expect(result.status == 1)
        #expect(result.output.contains("environment variable CRIER_TEST_MISSING_SECRET is not set"))
        installation.writeConfig()
        let ok = try installation.crier(["check"])
        #expect(ok.status == 0, "\(ok.output)\(ok.error)")
        #expect(!ok.output.contains("MfKQ9r8"), "secrets never appear in output")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try CrierProcess.run(["run", "--no-such-flag"]).status == 2)
        #expect(try CrierProcess.run(["frobnicate"]).status == 2)
    }

    @Test func enqueueStatusAndCancel() throws {
        let installation = try Installation(channels: ["alpha"])
        let post = installation.directory.write("---\nchannels: [alpha]\n---\nFrom enqueue.", to: "draft.md")
        let enqueued = try installation.crier(["enqueue", post, "--at", "2030-01-01 09:00"])
        #expect(enqueued.status == 0, "\(enqueued.error)")
        #expect(enqueued.output.trimmingCharacters(in: .whitespacesAndNewlines) == "draft")
        let queued = try String(contentsOfFile: installation.queue + "/draft.md", encoding: .utf8)
        #expect(queued.contains("at: \"2030-01-01 09:00\""))
        let duplicate = try installation.crier(["enqueue", post])
        #expect(duplicate.status == 1)
        let invalid = installation.directory.write("---\nchannels: [nope]\n---\nx", to: "bad.md")
        let refused = try installation.crier(["enqueue", invalid])
        #expect(refused.status == 1)
        #expect(refused.error.contains("unknown channel 'nope'"))

        #expect(try installation.crier(["run", "--once"]).status == 0)
        let status = try installation.crier(["status", "--json"])
        #expect(status.status == 0, "\(status.error)")
        let report = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as! [String: Any]
        #expect(report["pending"] as? Int == 1)
        #expect((report["next_send"] as? [String: String])?["alpha"] == "2030-01-01T09:00:00.000Z")

        let cancelled = try installation.crier(["cancel", "draft"])
        #expect(cancelled.status == 0, "\(cancelled.error)")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/cancelled/draft.md"))
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/cancelled/draft.receipt.json"))
        #expect(try installation.crier(["cancel", "draft"]).status == 1)
    }

    @Test func enqueueFromStandardInputGeneratesAnID() throws {
        let installation = try Installation(channels: ["alpha"])
        let process = CrierProcess(["enqueue", "-", "--channels", "alpha", "--config", installation.configPath])
        let input = Pipe()
        process.process.standardInput = input
        let output = Pipe()
        process.process.standardOutput = output
        try process.start()
        input.fileHandleForWriting.write(Data("---\nchannels: [x]\n---\nPiped in.\n".utf8))
        try input.fileHandleForWriting.close()
        let id = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(process.waitForExit(timeout: 30))
        #expect(process.exitStatus == 0, "\(process.standardError)")
        #expect(id.hasPrefix("post-"))
        let text = try String(contentsOfFile: installation.queue + "/\(id).md", encoding: .utf8)
        #expect(text.contains("channels: [alpha]"))
        #expect(!text.contains("[x]"))
    }

    @Test func dryRunSendsAndRecordsNothing() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.directory.write("---\nchannels: [alpha]\n---\nOnly a rehearsal.", to: "queue/rehearsal.md")
        let result = try installation.crier(["run", "--once", "--dry-run"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.error.contains("dry-run: would send"))
        #expect(result.error.contains("Only a rehearsal."))
        #expect(installation.sinks["alpha"]!.inbox.arrivals.isEmpty)
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/rehearsal.md"))
        #expect(!FileManager.default.fileExists(atPath: installation.queue + "/.crier/journal.sqlite"))
    }
}
