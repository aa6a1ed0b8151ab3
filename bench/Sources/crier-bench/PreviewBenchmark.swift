import CrierCore
import CrierDaemon
import Foundation

/// One timed plan of the preview benchmark.
struct PreviewRound {
    var deliveries: Int
    var seconds: Double
    /// User + system CPU time of the whole process during the plan (all threads).
    var cpuSeconds: Double
}

/// `crier-bench preview`: plans `posts` pending posts × 5 channels with the preview planner (the
/// daemon's pipeline on the queue in place, manual clock, recording transport) `rounds` times on one
/// queue and times each plan. Target (issue 5): 10,000 × 5 in under 2 s in a release build.
func runPreviewBenchmark(posts: Int, rounds: Int) -> [PreviewRound] {
    let root = NSTemporaryDirectory() + "/crier-bench-preview-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    try? FileManager.default.createDirectory(atPath: root + "/queue", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let channels = ["alpha", "beta", "gamma", "delta", "epsilon"]
    var config = "timezone: UTC\nchannels:\n"
    for name in channels { config += "  \(name):\n    platform: webhook\n    url: http://127.0.0.1:9/\(name)\n" }
    guard let parsed = ConfigParser.parse(config).config else { fatalError("bench config does not parse") }
    for index in 0..<posts {
        let text = "---\nchannels: [\(channels.joined(separator: ", "))]\n---\nBenchmark post \(index) with a little text.\n"
        FileManager.default.createFile(atPath: root + String(format: "/queue/p%06d.md", index), contents: Data(text.utf8))
    }
    if let pause = ProcessInfo.processInfo.environment["CRIER_BENCH_PAUSE_BEFORE_TIMING"].flatMap(Double.init) {
        // Lets a profiler attach to the timed part only: `perf record -p PID`.
        print("pid \(getpid()): timing starts in \(pause) s")
        fflush(nil)
        Thread.sleep(forTimeInterval: pause)
    }
    var results: [PreviewRound] = []
    for _ in 0..<rounds {
        let cpuBefore = processCPUSeconds()
        let start = Date()
        let report: PreviewReport
        do {
            report = try PreviewPlanner(config: parsed, layout: QueueLayout(root: root + "/queue")).plan(paths: [], now: Date())
        } catch {
            fatalError("preview failed: \(error)")
        }
        let seconds = Date().timeIntervalSince(start)
        let cpu = processCPUSeconds() - cpuBefore
        let deliveries = report.posts.reduce(0) { $0 + $1.deliveries.filter { $0.at != nil }.count }
        guard deliveries == posts * channels.count else {
            fatalError("preview planned \(deliveries) deliveries, expected \(posts * channels.count)")
        }
        results.append(PreviewRound(deliveries: deliveries, seconds: seconds, cpuSeconds: cpu))
    }
    return results
}

/// Prints one row per round and the median; the target is judged on the median.
func printPreviewTable(posts: Int, rounds: [PreviewRound]) {
    print("preview: \(posts) posts x 5 channels, \(rounds.count) round(s), one queue")
    print("round | planned deliveries | wall s | cpu s (all threads)")
    for (index, round) in rounds.enumerated() {
        print("\(String(index + 1).padding(toLength: 5, withPad: " ", startingAt: 0)) | \(String(round.deliveries).padding(toLength: 18, withPad: " ", startingAt: 0)) | \(format(round.seconds, 3))  | \(format(round.cpuSeconds, 3))")
    }
    let wall = median(rounds.map(\.seconds))
    print("median wall \(format(wall, 3)) s, min \(format(rounds.map(\.seconds).min() ?? 0, 3)) s, max \(format(rounds.map(\.seconds).max() ?? 0, 3)) s; median cpu \(format(median(rounds.map(\.cpuSeconds)), 3)) s (target: wall < 2 s: \(wall < 2 ? "MET" : "NOT MET"))")
}

private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
}
