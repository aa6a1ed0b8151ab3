import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// A temporary installation: a queue, a config pointing at in-process webhook sinks, and helpers to
/// run the real `crier` binary against it.
final class Installation: @unchecked Sendable {
    let directory = TemporaryDirectory(prefix: "crier-e2e")
    let sinks: [String: WebhookSink]
    var queue: String { directory.path + "/queue" }
    var configPath: String { directory.path + "/crier.yml" }

    init(channels: [String], status: @escaping @Sendable (Int) -> Int = { _ in 200 }, extraConfig: String = "") throws {
        var sinks: [String: WebhookSink] = [:]
        for channel in channels {
            sinks[channel] = try WebhookSink(status: { _, index in status(index) })
        }
        self.sinks = sinks
        writeConfig(extra: extraConfig)
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
    }

    deinit {
        for sink in sinks.values { sink.stop() }
    }

    func writeConfig(extra: String = "", raw: String? = nil) {
        let text = raw ?? ConfigText.webhooks(queue: queue, channels: sinks.keys.sorted().map { ($0, sinks[$0]!.url) }, extra: extra)
        directory.write(text, to: "crier.yml")
    }

    func daemon(_ extra: [String] = []) throws -> CrierProcess {
        let process = CrierProcess(["run", "--config", configPath] + extra)
        try process.start()
        return process
    }

    func crier(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try CrierProcess.run(arguments + ["--config", configPath])
    }

    /// Post files staged outside the queue, to be copied in with the real `cp`.
    func stagePosts(count: Int, channels: [String], prefix: String = "post") -> String {
        let staging = directory.path + "/staging-\(prefix)"
        try? FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for index in 0..<count {
            let name = String(format: "%@-%04d.md", prefix, index)
            let text = "---\nchannels: [\(channels.joined(separator: ", "))]\ntags: [e2e]\n---\nPost number \(index) of the end-to-end run.\n"
            #expect(FileManager.default.createFile(atPath: staging + "/" + name, contents: Data(text.utf8)), "cannot write \(name)")
        }
        return staging
    }

    /// `cp` of every file in `staging` into the queue: plain writes, never a rename.
    func copyIn(_ staging: String) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []).sorted()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/cp")
        process.arguments = names.map { staging + "/" + $0 } + [queue + "/"]
        try? process.run()
        process.waitUntilExit()
    }

    func count(_ subdirectory: String, suffix: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: queue + "/" + subdirectory)) ?? []).filter { $0.hasSuffix(suffix) }.count
    }
}
