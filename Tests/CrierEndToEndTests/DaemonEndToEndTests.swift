import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// The real binary, real files, real libcurl, real loopback sockets. Serialized: these are the slow,
/// heavy tests and share the machine's two cores.
@Suite(.serialized) struct DaemonEndToEndTests {
    /// Groups arrivals by (post, channel): every group must hold exactly one webhook-id.
    func checkExactlyOnceIdentity(_ installation: Installation, posts: Int) {
        var idsByDelivery: [String: Set<String>] = [:]
        var bad = 0
        for (channel, sink) in installation.sinks {
            for arrival in sink.inbox.arrivals {
                if arrival.signatureProblem != nil { bad += 1 }
                idsByDelivery["\(arrival.post ?? "?")/\(channel)", default: []].insert(arrival.webhookID)
            }
        }
        #expect(bad == 0, "every request carries a valid Standard Webhooks signature")
        #expect(idsByDelivery.count == posts * installation.sinks.count, "every (post, channel) arrived")
        #expect(idsByDelivery.values.allSatisfy { $0.count == 1 }, "repeated requests carry the webhook-id of their first try")
    }

    @Test func thousandPostsCopiedIntoARunningDaemonArriveOnBothChannels() throws {
        let installation = try Installation(channels: ["alpha", "beta"])
        let daemon = try installation.daemon()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30), "\(daemon.standardError)")
        installation.copyIn(installation.stagePosts(count: 1000, channels: ["alpha", "beta"]))
        let done = eventually(timeout: 180) { installation.count("sent", suffix: ".receipt.json") == 1000 }
        #expect(done, "receipts: \(installation.count("sent", suffix: ".receipt.json"))\n\(daemon.standardError.suffix(2000))")
        #expect(installation.sinks.values.reduce(0) { $0 + $1.inbox.arrivals.count } == 2000)
        checkExactlyOnceIdentity(installation, posts: 1000)
        #expect(installation.count("", suffix: ".md") == 0, "no post left behind in the queue")
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        #expect(daemon.exitStatus == 0)
    }

    @Test func killedThreeTimesItLosesNothingAndRetriesKeepTheirIDs() throws {
        let installation = try Installation(channels: ["alpha", "beta"])
        let staging = installation.stagePosts(count: 1000, channels: ["alpha", "beta"])
        var daemon = try installation.daemon()
        #expect(daemon.waitForLog("crier started", timeout: 30))
        installation.copyIn(staging)
        for kill in 1...3 {
            // Let it get some way in, then pull the plug mid-flight.
            let target = kill * 200
            _ = eventually(timeout: 60) { installation.sinks.values.reduce(0) { $0 + $1.inbox.arrivals.count } >= target }
            daemon.kill(SIGKILL)
            #expect(daemon.waitForExit(timeout: 10))
            daemon = try installation.daemon()
            #expect(daemon.waitForLog("crier started", timeout: 30), "\(daemon.standardError)")
        }
        let done = eventually(timeout: 180) { installation.count("sent", suffix: ".receipt.json") == 1000 }
        #expect(done, "receipts: \(installation.count("sent", suffix: ".receipt.json"))\n\(daemon.standardError.suffix(2000))")
        checkExactlyOnceIdentity(installation, posts: 1000)
        #expect(installation.count("failed", suffix: ".receipt.json") == 0)
        #expect(installation.count("cancelled", suffix: ".receipt.json") == 0)
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
    }

    @Test func malformedFilesAreRejectedWithAReasonWhileNeighboursAreDelivered() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.directory.write("---\nchannels: [alpha]\n---\nA fine post.", to: "queue/good.md")
        installation.directory.write("---\nchannels: [alpah]\n---\nTypo in the channel.", to: "queue/typo.md")
        installation.directory.write("{ \"channels\": [\"alpha\"], \"text\": ", to: "queue/broken.json")
        installation.directory.write("---\nchannels: [alpha]\nat: someday\n---\nBad time.", to: "queue/when.md")
        #expect(FileManager.default.createFile(atPath: installation.queue + "/binary.md", contents: Data([0x2D, 0x2D, 0x2D, 0x0A, 0xFF, 0xFE])))
        symlink(installation.queue + "/good.md", installation.queue + "/link.md")
        let result = try installation.crier(["run", "--once"])
        #expect(result.status == 0, "\(result.error)")
        #expect(installation.count("sent", suffix: ".receipt.json") == 1)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.count == 1)
        func reason(_ stem: String) -> String {
            (try? String(contentsOfFile: installation.queue + "/rejected/\(stem).error.txt", encoding: .utf8)) ?? "(missing)"
        }
        #expect(reason("typo").contains("typo.md:2: channels: unknown channel 'alpah'; did you mean 'alpha'?"))
        #expect(reason("broken").contains("not valid JSON"))
        #expect(reason("when").contains("when.md:3: at: 'someday' is not a time"))
        #expect(reason("binary").contains("not valid UTF-8"))
        #expect(reason("link").contains("symbolic link"))
    }

    @Test func sigtermDrainsAndExitsZeroAndSighupKeepsTheOldConfigWhenTheNewIsBad() throws {
        let installation = try Installation(channels: ["alpha"])
        let daemon = try installation.daemon()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30))
        installation.writeConfig(raw: "channels:\n  alpha:\n    platform: webhook\n    url: ftp://nowhere\n")
        daemon.kill(SIGHUP)
        #expect(daemon.waitForLog("config reload refused; keeping the running config", timeout: 10))
        #expect(daemon.standardError.contains("must start with https://"))
        installation.directory.write("---\nchannels: [alpha]\n---\nStill delivering after a bad reload.", to: "queue/after.md")
        #expect(eventually(timeout: 30) { installation.count("sent", suffix: ".receipt.json") == 1 })
        let start = Date()
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        #expect(daemon.exitStatus == 0)
        #expect(Date().timeIntervalSince(start) < 11)
    }

    @Test func permanentFailuresGoToFailedAndRetryResendsOnlyThoseChannels() throws {
        let installation = try Installation(channels: ["alpha", "beta"])
        // beta rejects its first request for good; alpha accepts.
        let betaFails = try WebhookSink(status: { _, index in index == 0 ? 422 : 200 })
        defer { betaFails.stop() }
        installation.writeConfig(raw: ConfigText.webhooks(queue: installation.queue,
                                                          channels: [("alpha", installation.sinks["alpha"]!.url), ("beta", betaFails.url)]))
        installation.directory.write("---\nchannels: [alpha, beta]\n---\nHalf goes through.", to: "queue/half.md")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(installation.count("failed", suffix: ".receipt.json") == 1)
        let receipt = try String(contentsOfFile: installation.queue + "/failed/half.receipt.json", encoding: .utf8)
        #expect(receipt.contains("\"http_status\" : 422"))
        let firstBetaID = betaFails.inbox.arrivals.first?.webhookID
        let retry = try installation.crier(["retry", "half"])
        #expect(retry.status == 0, "\(retry.error)")
        #expect(retry.output.contains("re-queued half for beta"))
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(installation.count("sent", suffix: ".receipt.json") == 1)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.count == 1, "alpha is not sent twice")
        #expect(betaFails.inbox.arrivals.count == 2)
        #expect(betaFails.inbox.arrivals.last?.webhookID == firstBetaID, "the retry keeps the delivery id")
    }

    @Test func permanentFailuresAreAlertedOnTheAlertsChannel() throws {
        let installation = try Installation(channels: ["ops"])
        let broken = try WebhookSink(status: { _, _ in 410 })
        defer { broken.stop() }
        installation.writeConfig(raw: ConfigText.webhooks(queue: installation.queue,
                                                          channels: [("ops", installation.sinks["ops"]!.url), ("gone", broken.url)],
                                                          extra: "alerts: ops\n"))
        let daemon = try installation.daemon()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30))
        installation.directory.write("---\nchannels: [gone]\n---\nThis endpoint no longer exists.", to: "queue/doomed.md")
        let ops = installation.sinks["ops"]!.inbox
        #expect(eventually(timeout: 30) { !ops.arrivals.isEmpty }, "\(daemon.standardError.suffix(1500))")
        let alert = try #require(ops.arrivals.first)
        #expect(alert.post?.hasPrefix("crier-alert-") == true)
        #expect(alert.text?.contains("could not deliver post 'doomed'") == true, "\(alert.text ?? "")")
        #expect(alert.text?.contains("HTTP 410") == true)
    }
}
