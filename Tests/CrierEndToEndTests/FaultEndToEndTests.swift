import CrierCore
import CrierDaemon
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// Faults a user's machine has and a test can make: a full disk under a running daemon.
@Suite(.serialized) struct FaultEndToEndTests {
    static let isRoot = getuid() == 0

    /// Mounts a `size` tmpfs at `path` (root only); unmounted by the returned closure.
    static func mountTmpfs(at path: String, size: String) throws -> () -> Void {
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "mount -t tmpfs failed")
        return {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", path]
            try? umount.run()
            umount.waitUntilExit()
        }
    }

    /// Writes zeros to `path` until the file system says it is full.
    static func fill(_ path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        let chunk = Data(count: 64 * 1024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        var small = Data(count: 4096)
        while !small.isEmpty {
            if (try? handle.write(contentsOf: small)) == nil { small = Data(count: small.count / 2) }
        }
    }

    @Test(.enabled(if: isRoot, "mounting a small tmpfs for the queue needs root; run the suite as root to include this test"))
    func aFullDiskStopsSendsAndCrierRecoversByItselfWithoutSendingTwice() throws {
        // The receiver answers slowly, one at a time: the fault lands while delivery is under way.
        let installation = try Installation(channels: ["alpha"], status: { _ in usleep(100_000); return 200 },
                                            extraConfig: "")
        installation.writeConfig(raw: ConfigText.webhooks(queue: installation.queue, channels: [("alpha", installation.sinks["alpha"]!.url)])
            .replacingOccurrences(of: "    platform: webhook\n", with: "    platform: webhook\n    limits: { max_in_flight: 1 }\n"))
        let unmount = try Self.mountTmpfs(at: installation.queue, size: "16m")
        defer { unmount() }
        let sink = installation.sinks["alpha"]!
        let staging = installation.stagePosts(count: 40, channels: ["alpha"])
        let notifyName = "@crier-full-disk-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifySocketListener(name: notifyName)
        defer { listener.stop() }
        var daemon = CrierProcess(["run", "--config", installation.configPath], environment: ["NOTIFY_SOCKET": notifyName])
        try daemon.start()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30), "\(daemon.standardError)")
        installation.copyIn(staging)
        #expect(eventually(timeout: 30) { sink.inbox.arrivals.count >= 5 })

        let filler = installation.queue + "/.filler"
        Self.fill(filler)
        #expect(daemon.waitForLog("journal cannot be written", timeout: 30), "\(daemon.standardError.suffix(3000))")
        let whenFull = sink.inbox.arrivals.count
        Thread.sleep(forTimeInterval: 3)
        #expect(sink.inbox.arrivals.count <= whenFull + 1, "no send starts while its outcome cannot be recorded")
        #expect(sink.inbox.arrivals.count < 40, "the fault came before the end")
        // What an operator sees meanwhile: `systemctl status` (the STATUS line) and `crier status`.
        #expect(eventually(timeout: 15) { listener.messages.contains { $0.hasPrefix("STATUS=JOURNAL CANNOT BE WRITTEN, sends stopped") } },
                "\(listener.messages.suffix(5))")
        let status = try installation.crier(["status"])
        #expect(status.status == 0, "\(status.error)")
        #expect(status.output.contains("KiB free: when the journal cannot be written, crier sends nothing until it can"), "\(status.output)")

        try FileManager.default.removeItem(atPath: filler)
        let done = eventually(timeout: 60) { installation.count("sent", suffix: ".receipt.json") == 40 }
        #expect(done, "receipts: \(installation.count("sent", suffix: ".receipt.json"))\n\(daemon.standardError.suffix(3000))")
        #expect(daemon.standardError.contains("journal written again"))
        #expect(installation.count("sent", suffix: ".md") == 40, "every post filed with its receipt")
        #expect(installation.count("", suffix: ".md") == 0)
        let ids = sink.inbox.arrivals.map(\.webhookID)
        #expect(ids.count == 40 && Set(ids).count == 40, "every post arrived once: \(ids.count) requests, \(Set(ids).count) ids")

        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        daemon = try installation.daemon(["--once"])
        #expect(daemon.waitForExit(timeout: 30))
        #expect(sink.inbox.arrivals.count == 40, "a restart after the fault sends nothing again")
    }

    @Test func aDeletedJournalIsRebuiltFromTheReceiptsSoNothingIsSentTwiceAndThrottlesHold() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.writeConfig(raw: ConfigText.webhooks(queue: installation.queue, channels: [("alpha", installation.sinks["alpha"]!.url)])
            .replacingOccurrences(of: "    platform: webhook\n", with: "    platform: webhook\n    limits: { per_hour: 1 }\n"))
        let sink = installation.sinks["alpha"]!
        installation.directory.write("---\nchannels: [alpha]\n---\nThe first post.\n", to: "queue/first.md")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(sink.inbox.arrivals.count == 1)

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: installation.queue + "/.crier/journal.sqlite" + suffix) }
        installation.directory.write("---\nchannels: [alpha]\n---\nThe second post, an hour later at the earliest.\n", to: "queue/second.md")
        let refused = try installation.crier(["run", "--once"])
        #expect(refused.status == 1)
        #expect(refused.error.contains("journal.sqlite is missing, but 1 receipts"), "\(refused.error)")
        let hint = try #require(refused.error.range(of: "`crier journal rebuild[^`]*`", options: .regularExpression))
        let command = refused.error[hint].dropFirst(7).dropLast().split(separator: " ").map(String.init)
        let rebuilt = try CrierProcess.run(command)
        #expect(rebuilt.status == 0, "the hint works as printed: \(rebuilt.error)")
        #expect(rebuilt.output.contains("1 sent, 0 failed, 0 cancelled posts"))
        #expect(rebuilt.output.contains("1 sends of the last two days count against the throttles"))
        // The rebuilt delivery keeps the id its receipt (and the receiver) knows.
        let receiptData = try Data(contentsOf: URL(fileURLWithPath: installation.queue + "/sent/first.receipt.json"))
        let receipt = try #require(try JSONSerialization.jsonObject(with: receiptData) as? [String: Any])
        let receiptID = try #require((receipt["deliveries"] as? [[String: Any]])?.first?["id"] as? String)
        do {
            let rebuiltJournal = try JournalStore.open(QueueLayout(root: installation.queue))
            let (_, records) = try #require(try rebuiltJournal.post(id: "first"))
            #expect(records.map(\.id) == [receiptID])
        }
        #expect(sink.inbox.arrivals.first?.webhookID == receiptID)

        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(sink.inbox.arrivals.count == 1, "per_hour: 1 still holds after the rebuild: the second post waits")
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/second.md"))
        installation.directory.write("---\nchannels: [alpha]\n---\nThe first post, dropped again.\n", to: "queue/first.md")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/rejected/first.md"), "a post id already sent is refused again")
        #expect(sink.inbox.arrivals.count == 1)
    }

    @Test func aDamagedJournalStopsCrierWithAWayOut() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.directory.write("---\nchannels: [alpha]\n---\nDelivered before the damage.\n", to: "queue/before.md")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        let journal = installation.queue + "/.crier/journal.sqlite"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journal + suffix) }
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: journal))
        let refused = try installation.crier(["run", "--once"])
        #expect(refused.status == 1)
        #expect(refused.error.contains("--replace` moves it aside and rebuilds it from the receipts"), "\(refused.error)")
        let withoutReplace = try installation.crier(["journal", "rebuild"])
        #expect(withoutReplace.status == 1)
        #expect(withoutReplace.error.contains("crier journal rebuild --replace"))
        let replaced = try installation.crier(["journal", "rebuild", "--replace"])
        #expect(replaced.status == 0, "\(replaced.error)")
        #expect(replaced.output.contains("moved the old journal to"))
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.count == 1)
    }

    /// SIGTERM while the intake is busy with a flood of files ends the daemon within its drain
    /// timeout: shutdown never waits for the intake (what it had not journaled is read again on the
    /// next start).
    @Test func aShutdownDuringAFloodOfDropsEndsWithinTheDrainTimeout() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.writeConfig(raw: ConfigText.webhooks(queue: installation.queue, channels: [("alpha", installation.sinks["alpha"]!.url)])
            .replacingOccurrences(of: "drain_timeout: 5s", with: "drain_timeout: 2s"))
        let staging = installation.directory.path + "/flood"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        let count = 50_000
        for index in 0..<count {
            let text = "---\nchannels: [alpha]\nat: 2031-01-01T09:00:00Z\n---\nFlood post \(index), for later.\n"
            _ = FileManager.default.createFile(atPath: staging + "/f\(index).md", contents: Data(text.utf8))
        }
        let daemon = try installation.daemon()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30), "\(daemon.standardError)")
        for index in 0..<count { rename(staging + "/f\(index).md", installation.queue + "/f\(index).md") }
        Thread.sleep(forTimeInterval: 0.3)
        let signalled = Date()
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 60))
        let took = Date().timeIntervalSince(signalled)
        #expect(took < 2 + 8, "stopped \(took) s after SIGTERM with a drain timeout of 2 s")
        #expect(daemon.exitStatus == 0, "\(daemon.standardError.suffix(2000))")
        let journaled = (try? JournalStore.open(QueueLayout(root: installation.queue)).postCounts()[.pending]) ?? 0
        #expect(journaled < count, "the intake was still at work when the daemon stopped (\(journaled) of \(count) journaled)")
    }

    /// Nine levels of nine aliases in flow style, each anchor right after a quoted key's colon
    /// (`"l1":&l1 [*l0,…]`): a guard that looked for anchors only at the start of a word missed it.
    static var flowBombEntries: String {
        var parts = [#""l0":&l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"#]
        for level in 1..<9 {
            parts.append("\"l\(level)\":&l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]")
        }
        return parts.joined(separator: ", ")
    }

    @Test func hostileFilesDroppedIntoARunningDaemonAreRejectedWhileOtherPostsKeepArriving() throws {
        let installation = try Installation(channels: ["alpha"])
        let sink = installation.sinks["alpha"]!
        let daemon = try installation.daemon()
        defer { daemon.kill(SIGKILL) }
        #expect(daemon.waitForLog("crier started", timeout: 30), "\(daemon.standardError)")
        let queue = installation.queue
        // Nine levels of nine aliases: 387 million nodes if expanded.
        var bomb = "---\nchannels: [alpha]\na: &a [x,x,x,x,x,x,x,x,x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            bomb += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        bomb += "---\nBoom.\n"
        installation.directory.write(bomb, to: "queue/bomb.md")
        // The same in flow style, each anchor right after a quoted key's colon.
        installation.directory.write("---\nchannels: [alpha]\nx: {" + Self.flowBombEntries + "}\n---\nBoom.\n", to: "queue/flowbomb.md")
        // 80,000 keys under one (each compared with every earlier one, this took minutes).
        installation.directory.write("---\nchannels: [alpha]\nx:\n" + (0..<80_000).map { " k\($0): b\n" }.joined() + "---\nKeys.\n",
                                     to: "queue/keys.md")
        installation.directory.write("---\nchannels: [alpha]\n---\n" + String(repeating: "line\n", count: 100_000), to: "queue/lines.md")
        installation.directory.write("---\nchannels: [alpha]\n---\n" + String(repeating: "x", count: 2 * 1024 * 1024), to: "queue/long.md")
        try FileManager.default.createDirectory(atPath: queue + "/folder.md", withIntermediateDirectories: false)
        #expect(mkfifo(queue + "/pipe.md", 0o644) == 0)
        let start = Date()
        for index in 0..<20 {
            installation.directory.write("---\nchannels: [alpha]\n---\nA normal post, number \(index).\n", to: "queue/normal-\(index).md")
        }
        let normal = { sink.inbox.arrivals.filter { $0.post?.hasPrefix("normal-") == true }.count }
        #expect(eventually(timeout: 30) { normal() == 20 }, "\(daemon.standardError.suffix(3000))")
        #expect(Date().timeIntervalSince(start) < 15, "the other posts arrive on time")
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: queue + "/rejected/bomb.md") })
        let reason = (try? String(contentsOfFile: queue + "/rejected/bomb.error.txt", encoding: .utf8)) ?? ""
        #expect(reason.contains("bomb.md:4:") && reason.contains("YAML aliases (*a) are not allowed"), "\(reason)")
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: queue + "/rejected/long.md") })
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: queue + "/rejected/flowbomb.md") })
        let flowReason = (try? String(contentsOfFile: queue + "/rejected/flowbomb.error.txt", encoding: .utf8)) ?? ""
        #expect(flowReason.contains("flowbomb.md:3:") && flowReason.contains("YAML aliases (*l0) are not allowed"), "\(flowReason)")
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: queue + "/rejected/keys.md") })
        // Not post files: left where they are, never read as posts.
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: queue + "/folder.md", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(FileManager.default.fileExists(atPath: queue + "/pipe.md"))
        #expect(!FileManager.default.fileExists(atPath: queue + "/sent/pipe.md") && !FileManager.default.fileExists(atPath: queue + "/rejected/folder.md"))
        // 100,000 short lines are under the 1 MiB limit: an ordinary (if odd) post, delivered once.
        #expect(eventually(timeout: 30) { FileManager.default.fileExists(atPath: queue + "/sent/lines.md") })
        #expect(sink.inbox.arrivals.count == 21)
        #expect(daemon.process.isRunning, "nothing a user drops stops the daemon")
        // A crier.yml with the flow bomb, reloaded: refused, the running config kept.
        let goodConfig = try String(contentsOfFile: installation.configPath, encoding: .utf8)
        installation.writeConfig(raw: goodConfig + "x: {" + Self.flowBombEntries + "}\n")
        daemon.kill(SIGHUP)
        #expect(daemon.waitForLog("config reload refused", timeout: 30), "\(daemon.standardError.suffix(2000))")
        installation.directory.write("---\nchannels: [alpha]\n---\nAfter the refused reload.\n", to: "queue/after-reload.md")
        #expect(eventually(timeout: 30) { sink.inbox.arrivals.count == 22 }, "still delivering on the running config")
        #expect(daemon.process.isRunning)
        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        #expect(daemon.exitStatus == 0)
    }

    /// The states a `kill -9` can leave between the steps of filing a sent post — outcome journaled
    /// but the file still in the queue; file moved but no receipt; a receipt's temporary file left
    /// behind; receipt written but the post not yet final in the journal — each made by rewinding a
    /// finished run, then a restart: the post is filed once, with its receipt, and nothing is sent again.
    @Test(arguments: ["file-in-queue", "moved-no-receipt", "receipt-temp-left", "receipt-cut-short", "receipt-written-journal-pending"])
    func aKillAtAnyStepOfFilingIsFinishedOnRestartWithoutSendingAgain(_ state: String) throws {
        let installation = try Installation(channels: ["alpha"])
        let queue = installation.queue
        installation.directory.write("---\nchannels: [alpha]\n---\nFiled exactly once.\n", to: "queue/post.md")
        #expect(try installation.crier(["run", "--once"]).status == 0)
        let receipt = queue + "/sent/post.receipt.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: receipt))

        let layout = QueueLayout(root: queue)
        let journal = try JournalStore.open(layout)
        var (post, _) = try #require(try journal.post(id: "post"))
        post.state = .pending
        post.finishedAt = nil
        try journal.commitNow([.upsertPost(post)])
        switch state {
        case "file-in-queue":
            try FileManager.default.moveItem(atPath: queue + "/sent/post.md", toPath: queue + "/post.md")
            try FileManager.default.removeItem(atPath: receipt)
        case "moved-no-receipt":
            try FileManager.default.removeItem(atPath: receipt)
        case "receipt-temp-left":
            try FileManager.default.moveItem(atPath: receipt, toPath: queue + "/sent/.post.receipt.json.tmp")
        case "receipt-cut-short":
            // The direct path writes the receipt in place (O_EXCL): a kill mid-write leaves half of it.
            try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: receipt))
        default:
            break
        }
        #expect(try installation.crier(["run", "--once"]).status == 0)
        #expect(installation.sinks["alpha"]!.inbox.arrivals.count == 1, "nothing is sent again")
        #expect(try Data(contentsOf: URL(fileURLWithPath: receipt)) == original, "the receipt says what happened, once")
        let filed = (try? FileManager.default.contentsOfDirectory(atPath: queue + "/sent")) ?? []
        #expect(installation.count("sent", suffix: ".md") == 1, "filed once: \(filed)")
        #expect(installation.count("", suffix: ".md") == 0)
        #expect(try journal.post(id: "post")?.0.state == .sent)
    }

    @Test func oddButHarmlessPostsAreDeliveredAndANulIsRefused() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.directory.write("---\nchannels: [alpha]\n---\nA name with spaces and accents.\n", to: "queue/Launch day ünïcödé ✓.md")
        installation.directory.write("---\nchannels: [alpha]\nvariants: { alpha: Only a variant. }\n---\n", to: "queue/variant-only.md")
        installation.directory.write("---\nchannels: [alpha]\n---\nbefore\0after\n", to: "queue/nul.md")
        let run = try installation.crier(["run", "--once"])
        #expect(run.status == 0, "\(run.error)")
        let posts = Set(installation.sinks["alpha"]!.inbox.arrivals.compactMap(\.post))
        #expect(posts == ["launch-day-unicode", "variant-only"])
        #expect(FileManager.default.fileExists(atPath: installation.queue + "/sent/Launch day ünïcödé ✓.md"))
        let reason = (try? String(contentsOfFile: installation.queue + "/rejected/nul.error.txt", encoding: .utf8)) ?? ""
        #expect(reason.contains("nul.md:4: the line holds a NUL character"), "\(reason)")
    }

    @Test func aSecretFileOthersCanReadIsAWarningAndOneOthersCanWriteIsRefused() throws {
        let installation = try Installation(channels: ["alpha"])
        let secretPath = installation.directory.write(WebhookSink.secret, to: "signing-secret")
        installation.writeConfig(raw: ConfigText.webhooks(queue: installation.queue, channels: [("alpha", installation.sinks["alpha"]!.url)],
                                                          secret: "file:\(secretPath)"))
        #expect(chmod(secretPath, 0o600) == 0)
        let quiet = try installation.crier(["check"])
        #expect(quiet.status == 0 && !(quiet.output + quiet.error).contains("chmod"), "\(quiet.output)\(quiet.error)")
        #expect(chmod(secretPath, 0o644) == 0)
        let readable = try installation.crier(["check"])
        #expect(readable.status == 0, "\(readable.error)")
        #expect((readable.output + readable.error).contains("readable by every user (mode 644); run `chmod o-r \(secretPath)`"))
        #expect(chmod(secretPath, 0o646) == 0)
        let writable = try installation.crier(["check"])
        #expect(writable.status == 1)
        #expect((writable.output + writable.error).contains("writable by every user (mode 646)"))
        let refused = try installation.crier(["run", "--once"])
        #expect(refused.status == 1, "crier run refuses a secret anyone could replace")
    }
}
