import CrierCore
import CrierDaemon
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// Approvals and who did what, with the real binary: a post that needs approval is not sent until
/// someone in the approvers' group approves it; an edit withdraws the approval; the author cannot
/// approve their own post; `crier log` and the receipt name every actor. Run as root (the file is
/// handed to another owner, as when a colleague drops it).
@Suite(.serialized) struct ApprovalEndToEndTests {
    static let isRoot = getuid() == 0
    /// `nobody`: the colleague who drops the post.
    static let author: uid_t = 65_534
    static let environment = ["SUDO_USER": ""]

    func installation(group: String = "root") throws -> Installation {
        try Installation(channels: ["alpha", "beta"], extraConfig: "approvers: { group: \(group) }\n")
    }

    /// A post for both channels; alpha needs approval (the post says nothing, the channel does not
    /// either: the config's defaults would), so the test sets it on the post for alpha only via
    /// `approval: required` and a channel list.
    func drop(_ installation: Installation, text: String, owner: uid_t = author) {
        installation.directory.write("---\nchannels: [alpha]\napproval: required\n---\n\(text)\n", to: "queue/launch.md")
        #expect(chown(installation.queue + "/launch.md", owner, owner) == 0)
    }

    func crier(_ installation: Installation, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try CrierProcess.run(arguments + ["--config", installation.configPath], environment: Self.environment)
    }

    @Test(.enabled(if: isRoot, "handing the post file to another owner needs root"))
    func aPostIsSentOnlyOnceApprovedAndAnEditWithdrawsTheApproval() throws {
        let installation = try installation()
        drop(installation, text: "Launch day: crier 1.0 is out.")
        installation.directory.write("---\nchannels: [beta]\n---\nNo approval needed here.\n", to: "queue/other.md")

        #expect(try crier(installation, ["run", "--once"]).status == 0)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.isEmpty, "not sent before approval")
        #expect(installation.sinks["beta"]!.inbox.arrivals.count == 1, "other posts keep going")
        let status = try crier(installation, ["status"])
        #expect(status.output.contains("awaiting approval"), "\(status.output)")
        #expect(status.output.contains("  launch → alpha, planned "))

        let approved = try crier(installation, ["approve", "launch", "--note", "checked the numbers"])
        #expect(approved.status == 0, "\(approved.error)")
        #expect(approved.output.contains("approved launch on alpha:"))
        #expect(approved.output.contains("Launch day: crier 1.0 is out."))

        // Edited after the approval, before it went out: the approval no longer matches.
        drop(installation, text: "Launch day: crier 1.0 is out. Also: free pizza.")
        #expect(try crier(installation, ["run", "--once"]).status == 0)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.isEmpty, "an edit withdraws the approval")

        #expect(try crier(installation, ["approve", "launch", "--channel", "alpha"]).status == 0)
        #expect(try crier(installation, ["run", "--once"]).status == 0)
        let arrivals = installation.sinks["alpha"]!.inbox.arrivals
        #expect(arrivals.count == 1)
        let sentText = arrivals.first?.text ?? ""
        #expect(sentText.contains("free pizza"), "what was approved is what goes out")

        let receipt = try Data(contentsOf: URL(fileURLWithPath: installation.queue + "/sent/launch.receipt.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: receipt) as? [String: Any])
        #expect(object["queued_by"] as? String == "nobody")
        #expect(((object["deliveries"] as? [[String: Any]])?.first?["approved_by"]) as? String == "root")

        let log = try crier(installation, ["log", "launch"])
        #expect(log.status == 0, "\(log.error)")
        let lines = log.output.split(separator: "\n").map(String.init)
        let actions = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).dropFirst().joined(separator: " ") }
        #expect(actions == ["nobody queued", "root approved", "nobody edited", "crier approval-withdrawn", "root approved", "crier sent"], "\(log.output)")
        let json = try crier(installation, ["log", "launch", "--json"])
        let first = try #require(try JSONSerialization.jsonObject(with: Data(json.output.split(separator: "\n")[0].utf8)) as? [String: Any])
        #expect(first["actor"] as? String == "nobody")
        #expect(first["action"] as? String == "queued")
    }

    @Test(.enabled(if: isRoot, "handing the post file to another owner needs root"))
    func theAuthorAndPeopleOutsideTheGroupMayNotApprove() throws {
        let own = try installation()
        drop(own, text: "My own post.", owner: 0)
        #expect(try crier(own, ["run", "--once"]).status == 0)
        let selfApproval = try crier(own, ["approve", "launch"])
        #expect(selfApproval.status == 1)
        #expect(selfApproval.error.contains("root dropped post 'launch' and cannot approve it too"), "\(selfApproval.error)")

        let outsiders = try installation(group: "nogroup")
        drop(outsiders, text: "Someone else's post.")
        let outsider = try crier(outsiders, ["approve", "launch"])
        #expect(outsider.status == 1)
        #expect(outsider.error.contains("root may not approve posts: only members of group nogroup may"), "\(outsider.error)")
        let rejectedByOutsider = try crier(outsiders, ["reject", "launch", "--reason", "no"])
        #expect(rejectedByOutsider.status == 1)
    }

    @Test(.enabled(if: isRoot, "handing the post file to another owner needs root"))
    func aRejectedPostIsCancelledThereWithTheReason() throws {
        let installation = try installation()
        drop(installation, text: "Not this one.")
        #expect(try crier(installation, ["run", "--once"]).status == 0)
        let rejected = try crier(installation, ["reject", "launch", "--reason", "wrong numbers"])
        #expect(rejected.status == 0, "\(rejected.error)")
        #expect(try crier(installation, ["run", "--once"]).status == 0)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.isEmpty)
        let receipt = try String(contentsOfFile: installation.queue + "/cancelled/launch.receipt.json", encoding: .utf8)
        #expect(receipt.contains("rejected by root: wrong numbers"))
    }

    @Test func approvalWithoutApproversIsAConfigProblemOnItsLine() throws {
        let installation = try Installation(channels: ["alpha"], extraConfig: "defaults: { approval: required }\n")
        let check = try installation.crier(["check"])
        #expect(check.status == 1)
        #expect(check.output.contains("defaults.approval: approval is required but nobody may approve; add `approvers: { group: crier-approvers }`"),
                "\(check.output)")
    }
}
