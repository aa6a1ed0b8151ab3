import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// One daemon of a test cluster: its own directory, queue and crier.yml (with a `store:` section on
/// the test's database), and the real `crier` binary run against it.
final class ClusterNode: @unchecked Sendable {
    // Confinement: used from the test's own thread only.
    let name: String
    let directory = TemporaryDirectory(prefix: "crier-cluster")
    let database: PostgresDatabase
    private(set) var process: CrierProcess?
    /// Standard error of every earlier run of this node (the daemon killed or stopped before).
    private(set) var earlierLogs: [String] = []
    var queue: String { directory.path + "/queue" }
    var configPath: String { directory.path + "/crier.yml" }

    /// - Parameter channels: the `channels:` section's entries (indented two spaces), the same on
    ///   every node of a cluster.
    init(name: String, database: PostgresDatabase, channels: String, lease: String = "10s",
         retry: String = "{ base: 200ms, max_delay: 1s, max_attempts: 8 }") throws {
        self.name = name
        self.database = database
        directory.write("""
            queue: \(directory.path)/queue
            timezone: UTC
            retry: \(retry)
            delivery: { rescan: 2s, settle_time: 300ms, drain_timeout: 5s }
            \(database.storeConfig(node: name, lease: lease))channels:
            \(channels)
            """, to: "crier.yml")
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
    }

    deinit {
        if let process, process.process.isRunning {
            process.kill(SIGKILL)
            process.waitForExit(timeout: 10)
        }
    }

    /// The `channels:` entries of webhook channels pointing at `sinks`, each with `options`
    /// (`limits: …`, `breaker: 0`), for `init`.
    static func channels(_ sinks: [(name: String, url: String)], options: (String) -> [String] = { _ in [] }) -> String {
        var text = ""
        for sink in sinks {
            text += "  \(sink.name):\n    platform: webhook\n    url: \(sink.url)\n    secret: \(WebhookSink.secret)\n"
            for option in options(sink.name) { text += "    \(option)\n" }
        }
        return text
    }

    /// Starts the daemon and waits for it to say it started (it must have found the schema).
    @discardableResult
    func start(timeout: TimeInterval = 30) throws -> CrierProcess {
        if let process { earlierLogs.append(process.standardError) }
        let process = CrierProcess(["run", "--config", configPath], environment: database.environment)
        try process.start()
        self.process = process
        let deadline = Date().addingTimeInterval(timeout)
        while !process.standardError.contains("crier started") {
            guard process.process.isRunning else {
                process.waitForExit(timeout: 5)
                throw ClusterFailure("\(name) exited with \(process.exitStatus.map(String.init) ?? "?") at start: \(process.standardError.suffix(3000))")
            }
            guard Date() < deadline else {
                throw ClusterFailure("\(name) did not start within \(Int(timeout)) s: \(process.standardError.suffix(3000))")
            }
            usleep(20_000)
        }
        return process
    }

    /// Starts the daemon without waiting for it (a restart while the database may be away).
    func launch() throws {
        if let process { earlierLogs.append(process.standardError) }
        let process = CrierProcess(["run", "--config", configPath], environment: database.environment)
        try process.start()
        self.process = process
    }

    var isRunning: Bool { process?.process.isRunning ?? false }

    /// `kill -9`, and waits until it is gone.
    func kill() {
        guard let process else { return }
        process.kill(SIGKILL)
        process.waitForExit(timeout: 10)
    }

    /// SIGTERM, and waits (bounded) for a clean exit.
    @discardableResult
    func stop(timeout: TimeInterval = 15) -> Bool {
        guard let process, process.process.isRunning else { return true }
        process.kill(SIGTERM)
        return process.waitForExit(timeout: timeout)
    }

    /// A `crier` command against this node's config.
    func crier(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try CrierProcess.run(arguments + ["--config", configPath], environment: database.environment)
    }

    /// Every log line this node wrote so far, earlier runs included.
    var log: String { (earlierLogs + [process?.standardError ?? ""]).joined(separator: "\n") }

    /// Drops posts `prefix-0000.md`… into the queue (each written beside it, then renamed in), each
    /// to the channels `channels(index)` names; returns their post ids.
    @discardableResult
    func drop(count: Int, prefix: String, channels: (Int) -> [String]) -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let id = String(format: "%@-%04d", prefix, index)
            let text = "---\nchannels: [\(channels(index).joined(separator: ", "))]\n---\nPost \(id) from \(name): \(UInt64(index) &* 0x9E3779B97F4A7C15)\n"
            let staged = directory.write(text, to: "staging/\(id).md")
            #expect(rename(staged, queue + "/\(id).md") == 0, "cannot move \(id).md into \(queue)")
            ids.append(id)
        }
        return ids
    }

    /// Names in `subdirectory` of the queue ending in `suffix`.
    func files(_ subdirectory: String, suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: queue + "/" + subdirectory)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// What is wrong with the filing of `ids` on this node: each must be in `sent/` with its
    /// receipt, and nothing may be left in the queue or elsewhere.
    func filingProblems(_ ids: [String]) -> [String] {
        var problems: [String] = []
        let sent = Set(files("sent", suffix: ".md"))
        let receipts = Set(files("sent", suffix: ".receipt.json"))
        for id in ids {
            if !sent.contains(id + ".md") { problems.append("\(name): \(id).md is not in sent/") }
            if !receipts.contains(id + ".receipt.json") { problems.append("\(name): \(id).receipt.json is missing") }
        }
        for directory in ["", "failed", "cancelled", "rejected"] {
            let left = files(directory, suffix: ".md")
            if !left.isEmpty { problems.append("\(name): \(left.count) in \(directory.isEmpty ? "the queue" : directory + "/"): \(left.prefix(5))") }
        }
        return problems
    }
}

/// A cluster test's own failure, with what the daemons said.
struct ClusterFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
