import CrierCore
import CrierTestSupport
import Foundation
import Testing

/// The daemon's log is true: a dry-run says only what would happen (no line claims a send, a move
/// or a status that did not happen), and a failed post says why.
@Suite struct DryRunEndToEndTests {
    @Test func everyLogLineOfADryRunSaysWhatWouldHappen() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.directory.write("---\nchannels: [alpha]\n---\nOnly a rehearsal.\n", to: "queue/rehearsal.md")
        installation.directory.write("---\nchannels: [nope]\n---\nBroken.\n", to: "queue/broken.md")
        let result = try installation.crier(["run", "--once", "--dry-run"])
        #expect(result.status == 0, "\(result.error)")
        let log = result.error
        for untrue in ["delivery sent", "post finished", "rejected file moved", "post file rejected", "status=200"] {
            #expect(!log.contains(untrue), "a dry-run does not claim '\(untrue)':\n\(log)")
        }
        for true_ in ["dry-run: would send", "dry-run: delivery would be sent", "post would be filed", "post file would be rejected",
                      "rejected file would move"] {
            #expect(log.contains(true_), "missing '\(true_)':\n\(log)")
        }
        #expect(installation.sinks["alpha"]!.inbox.arrivals.isEmpty)
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/rehearsal.md"))
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/broken.md"))
    }

    @Test func aPostThatFailsSaysWhyInTheDaemonsLog() throws {
        let installation = try Installation(channels: ["alpha"], status: { _ in 400 })
        installation.directory.write("---\nchannels: [alpha]\n---\nRefused by the receiver.\n", to: "queue/refused.md")
        let result = try installation.crier(["run", "--once"])
        #expect(result.status == 0, "\(result.error)")
        let line = result.error.split(separator: "\n").first { $0.contains("post finished") } ?? ""
        #expect(line.contains("outcome=failed") && line.contains("reason=\"alpha: HTTP 400"), "\(line)")
    }
}
