import CrierTestSupport
import Foundation
import Glibc
import Testing

@Suite(.serialized) struct SystemdEndToEndTests {
    @Test(arguments: ["path", "abstract"])
    func talksToSystemdThroughTheNotifySocket(_ kind: String) throws {
        let installation = try Installation(channels: ["alpha"])
        let name = kind == "path" ? installation.directory.path + "/notify.sock" : "@crier-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifySocketListener(name: name)
        defer { listener.stop() }
        let daemon = CrierProcess(["run", "--config", installation.configPath],
                                  environment: ["NOTIFY_SOCKET": name, "WATCHDOG_USEC": "200000"])
        try daemon.start()
        defer { daemon.kill(SIGKILL) }
        #expect(eventually(timeout: 30) { listener.messages.contains("READY=1") }, "\(listener.messages) \(daemon.standardError)")
        #expect(eventually(timeout: 10) { listener.messages.contains { $0.hasPrefix("STATUS=") && $0.contains("pending") } })
        #expect(eventually(timeout: 10) { listener.messages.filter { $0 == "WATCHDOG=1" }.count >= 3 }, "pings every 100 ms")

        daemon.kill(SIGHUP)
        #expect(eventually(timeout: 10) {
            let messages = listener.messages
            guard let reloading = messages.lastIndex(where: { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }) else { return false }
            return messages[(reloading + 1)...].contains("READY=1")
        }, "\(listener.messages)")

        daemon.kill(SIGTERM)
        #expect(daemon.waitForExit(timeout: 15))
        #expect(daemon.exitStatus == 0)
        #expect(listener.messages.contains("STOPPING=1"))
    }
}

@Suite(.serialized) struct JournaldLoggingTests {
    @Test func underJournaldLinesCarrySyslogPrioritiesInsteadOfTimestamps() throws {
        let installation = try Installation(channels: ["alpha"])
        installation.directory.write("---\nchannels: [nowhere]\n---\nrejected on purpose", to: "queue/bad.md")
        let result = try CrierProcess.run(["run", "--once", "--config", installation.configPath], environment: ["JOURNAL_STREAM": "8:12345"])
        #expect(result.status == 0)
        let lines = result.error.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("<6>crier started") })
        #expect(lines.contains { $0.hasPrefix("<3>post file rejected") }, "errors are priority 3, so journalctl -p err shows them")
        #expect(lines.allSatisfy { $0.hasPrefix("<") }, "no timestamps of its own: journald adds them")
    }

    @Test func enqueuedFilesAreGroupReadableWhateverTheUmask() throws {
        let installation = try Installation(channels: ["alpha"])
        let post = installation.directory.write("---\nchannels: [alpha]\n---\nhi", to: "p.md")
        let previous = umask(0o077)
        defer { umask(previous) }
        #expect(try installation.crier(["enqueue", post]).status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: installation.queue + "/p.md")
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
    }
}
