import CrierCore
import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

/// A temporary installation with one channel on a platform fake (X, LinkedIn): the queue, a config
/// whose channel points at the fake, secrets in files beside it, and a way to seed the channel's
/// session in the journal as `crier auth` stores it.
final class PlatformInstallation: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "crier-e2e-platform")
    var queue: String { directory.path + "/queue" }
    var configPath: String { directory.path + "/crier.yml" }

    /// `channel` is the YAML of the channel's own keys (indented by four spaces); secrets are
    /// written to files and referenced as `file:` from it with `{{name}}`.
    init(channel name: String, keys: String, secrets: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
        var keys = keys
        for (secret, value) in secrets {
            let path = directory.write(value, to: "secrets/\(secret)")
            keys = keys.replacingOccurrences(of: "{{\(secret)}}", with: "file:\(path)")
        }
        directory.write("""
            queue: \(queue)
            timezone: UTC
            retry: { base: 200ms, max_delay: 1s, max_attempts: 6 }
            delivery: { rescan: 1s, settle_time: 300ms, drain_timeout: 5s }
            channels:
              \(name):
            \(keys)
            """, to: "crier.yml")
    }

    /// Stores `session` for `channel` in the queue's journal, as `crier auth` does.
    func seedSession(_ session: ChannelSession, channel: String) throws {
        let layout = QueueLayout(root: queue)
        try layout.create()
        let journal = try JournalStore.open(layout)
        try journal.commitNow([.storeSession(channel: channel, session)])
    }

    func storedSession(_ channel: String) throws -> ChannelSession? {
        let journal = try JournalStore.open(QueueLayout(root: queue))
        return try journal.sessions()[channel]
    }

    func post(_ name: String, _ text: String) {
        directory.write(text, to: "queue/\(name)")
    }

    /// A real PNG of `width`×`height` at `queue/relative` (crier decodes images to fit them).
    func writePNG(_ relative: String, width: Int = 640, height: Int = 480) {
        let path = queue + "/" + relative
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: TestImages.png(width: width, height: height, sigma: 8))
    }

    func daemon(_ extra: [String] = []) throws -> CrierProcess {
        let process = CrierProcess(["run", "--config", configPath] + extra)
        try process.start()
        return process
    }

    func crier(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try CrierProcess.run(arguments + ["--config", configPath])
    }

    func receipt(_ post: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: queue + "/sent/\(post).receipt.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["deliveries"] as? [[String: Any]])
    }

    /// Waits (bounded) until `condition` holds.
    @discardableResult
    func wait(timeout: TimeInterval = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
