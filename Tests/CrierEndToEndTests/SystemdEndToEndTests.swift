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
        #expect(daemon.process.terminationStatus == 0)
        #expect(listener.messages.contains("STOPPING=1"))
    }
}
