import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// The command `scripts/demo.sh` prints at its end, `scripts/demo-daemon.sh DIR`, run on a copy
/// made the way the demo makes it: it must work as printed (the secret and the receiver included).
@Suite(.serialized) struct DemoEndToEndTests {
    static var repository: URL {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        return root
    }

    /// A loopback port nobody is listening on right now.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw RawHTTPClient.Failure(description: "cannot find a free port: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    @Test func theDemosClosingHintRunsTheDaemonWithItsReceiver() throws {
        let port = try Self.freePort()
        // The copy scripts/demo.sh runs on, made by the script it uses; its sample posts taken out,
        // as if the demo had delivered them already.
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/bin/bash")
        made.arguments = [Self.repository.appendingPathComponent("scripts/demo-copy.sh").path, String(port)]
        let madePipe = Pipe()
        made.standardOutput = madePipe
        try made.run()
        let madePath = String(decoding: madePipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let madeBy = Date().addingTimeInterval(30)
        while made.isRunning, Date() < madeBy { usleep(10_000) }
        try #require(!made.isRunning && made.terminationStatus == 0 && madePath.hasPrefix("/"), "demo-copy.sh: '\(madePath)'")
        let copy = TemporaryDirectory(adopting: madePath)
        #expect(FileManager.default.fileExists(atPath: copy.path + "/webhook-secret"))
        for sample in try FileManager.default.contentsOfDirectory(atPath: copy.path + "/queue") where !sample.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: copy.path + "/queue/" + sample, isDirectory: &isDirectory), !isDirectory.boolValue {
                try FileManager.default.removeItem(atPath: copy.path + "/queue/" + sample)
            }
        }

        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/bin/bash")
        script.arguments = [Self.repository.appendingPathComponent("scripts/demo-daemon.sh").path, copy.path]
        var environment = ProcessInfo.processInfo.environment
        environment["CRIER"] = CrierProcess.binaryPath
        environment["CRIER_DEMO_SECRET"] = nil
        environment["NOTIFY_SOCKET"] = nil
        script.environment = environment
        let output = Collected()
        let errors = Collected()
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        script.standardOutput = outputPipe
        script.standardError = errorPipe
        output.watch(outputPipe.fileHandleForReading)
        errors.watch(errorPipe.fileHandleForReading)
        // Dispatch's worker threads (this test's) block most signals, and a child inherits the mask
        // of the thread that spawns it: bash would then never see the SIGTERM below. Spawn it with
        // none blocked, as from a terminal.
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        let started = Result { try script.run() }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        try started.get()
        defer {
            if script.isRunning { Glibc.kill(script.processIdentifier, SIGKILL) }
            outputPipe.fileHandleForReading.readabilityHandler = nil
            errorPipe.fileHandleForReading.readabilityHandler = nil
        }

        #expect(errors.waitFor("crier started", timeout: 60), "\(errors.text)")
        copy.write("---\nchannels: [team]\n---\nDropped after the demo.\n", to: "queue/.late.md")
        try FileManager.default.moveItem(atPath: copy.path + "/queue/.late.md", toPath: copy.path + "/queue/late.md")
        #expect(output.waitFor("Dropped after the demo.", timeout: 60), "stdout: \(output.text)\nstderr: \(errors.text)")
        #expect(output.text.contains("team late d_"))
        #expect(output.text.contains("signature ok"), "the secret reached the receiver: \(output.text)")

        Glibc.kill(script.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while script.isRunning, Date() < deadline { usleep(20_000) }
        #expect(!script.isRunning, "demo-daemon.sh did not stop on SIGTERM")
        if !script.isRunning { #expect(script.terminationStatus == 0, "\(errors.text)") }
        #expect(errors.waitFor("1 received, 0 repeats, 0 with bad signatures", timeout: 10), "\(errors.text)")
        #expect(FileManager.default.fileExists(atPath: copy.path + "/queue/sent/late.receipt.json"))
        // Both children are gone: the port can be bound again.
        #expect((try? RawHTTPClient(port: port)) == nil, "something still listens on \(port)")
    }
}

/// Text arriving on a pipe, collected as it comes.
private final class Collected: @unchecked Sendable {
    // Confinement: `data` is guarded by `lock`.
    private let lock = NSLock()
    private var data = Data()

    func watch(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            if chunk.isEmpty { handle.readabilityHandler = nil }
            guard let self else { return }
            self.lock.lock()
            self.data.append(chunk)
            self.lock.unlock()
        }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    func waitFor(_ needle: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if text.contains(needle) { return true }
            usleep(20_000)
        }
        return false
    }
}
