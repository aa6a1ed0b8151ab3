import CrierCore
import CrierDaemon
import Foundation

/// `crier-bench preview`: plans `posts` pending posts × 5 channels with the preview planner (the
/// daemon's pipeline on a scratch copy, manual clock, recording transport) and times it. Target
/// (issue 5): 10,000 × 5 in under 2 s in a release build.
func runPreviewBenchmark(posts: Int) -> (deliveries: Int, seconds: Double) {
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
    let start = Date()
    let report: PreviewReport
    do {
        report = try PreviewPlanner(config: parsed, layout: QueueLayout(root: root + "/queue")).plan(paths: [], now: Date())
    } catch {
        fatalError("preview failed: \(error)")
    }
    let seconds = Date().timeIntervalSince(start)
    let deliveries = report.posts.reduce(0) { $0 + $1.deliveries.filter { $0.at != nil }.count }
    return (deliveries, seconds)
}
