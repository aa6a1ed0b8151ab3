import CrierCore
import CrierDaemon
import Foundation

/// One timed preview of the preview benchmark.
struct PreviewRound {
    var what: String
    var seconds: Double
    /// User + system CPU time of the planner's process (all threads), or of the `crier` child.
    var cpuSeconds: Double
}

/// `crier-bench preview`: a queue of `posts` pending posts × 5 webhook channels, previewed `rounds`
/// times in two ways, side by side in one run:
///
/// - `planner`: `PreviewPlanner.plan` in this process (the daemon's pipeline on the queue in place,
///   manual clock, recording transport): the planning alone.
/// - `crier preview --json`, `crier preview`: the real binary as a user runs it, from process start
///   to exit, output written to a file: config, planning and rendering the report.
///
/// - `read+parse`: every post file read, parsed and checked (`PostFileReader.read`) and hashed
///   (`ContentHash.of`) on one thread, as the intake does per file: the CPU cost per post of intake.
///
/// Environment (the command line belongs to main.swift):
/// - `CRIER_BENCH_PREVIEW_WORDS=N`: each post's text is N words drawn from a fixed list (seeded), instead
///   of the one-line "Benchmark post N with a little text."; `25` is the issue's independent run.
/// - `CRIER_BENCH_BASELINE_CRIER=PATH`: another `crier` binary (an earlier build) timed the same way,
///   round for round alternating with this one, labelled `(baseline)`.
///
/// Target (issue 5): 10,000 × 5 in under 2 s in a release build; issue "Performance at scale": 1 s.
func runPreviewBenchmark(posts: Int, rounds: Int, crierPath: String?) -> [PreviewRound] {
    let root = NSTemporaryDirectory() + "/crier-bench-preview-\(getpid())"
    try? FileManager.default.removeItem(atPath: root)
    try? FileManager.default.createDirectory(atPath: root + "/queue", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    let channels = ["alpha", "beta", "gamma", "delta", "epsilon"]
    var config = "timezone: UTC\nqueue: \(root)/queue\nchannels:\n"
    for name in channels { config += "  \(name):\n    platform: webhook\n    url: http://127.0.0.1:9/\(name)\n" }
    guard FileManager.default.createFile(atPath: root + "/crier.yml", contents: Data(config.utf8)) else { fail("cannot write \(root)/crier.yml") }
    guard let parsed = ConfigParser.parse(config).config else { fatalError("bench config does not parse") }
    let environment = ProcessInfo.processInfo.environment
    let words = environment["CRIER_BENCH_PREVIEW_WORDS"].flatMap(Int.init) ?? 0
    var generator = SplitMix64(seed: 7)
    for index in 0..<posts {
        let body = words > 0
            ? (0..<words).map { _ in benchWords[Int(generator.next() % UInt64(benchWords.count))] }.joined(separator: " ")
            : "Benchmark post \(index) with a little text."
        let text = "---\nchannels: [\(channels.joined(separator: ", "))]\n---\n\(body)\n"
        let path = root + String(format: "/queue/p%06d.md", index)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { fail("cannot write \(path)") }
    }
    let expected = posts * channels.count
    if let pause = ProcessInfo.processInfo.environment["CRIER_BENCH_PAUSE_BEFORE_TIMING"].flatMap(Double.init) {
        // Lets a profiler attach to the timed part only: `perf record -p PID`.
        print("pid \(getpid()): timing starts in \(pause) s")
        fflush(nil)
        Thread.sleep(forTimeInterval: pause)
    }
    var results: [PreviewRound] = []
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/queue")) ?? []).filter(QueueFileName.isPostCandidate).sorted()
    for _ in 0..<rounds {
        let cpuBefore = cpuSeconds(RUSAGE_SELF)
        let start = Date()
        var accepted = 0
        for name in names {
            guard let (data, _) = try? FileOperations.readRegularFile(root + "/queue/" + name, maxSize: PostParser.maximumFileSize),
                  let read = try? PostFileReader.read(data, name: name, config: parsed, root: root + "/queue") else { continue }
            if read.channels.count == channels.count, ContentHash.of(data).utf8.count == 64 { accepted += 1 }
        }
        let seconds = Date().timeIntervalSince(start)
        guard accepted == posts else { fatalError("read+parse accepted \(accepted) posts, expected \(posts)") }
        results.append(PreviewRound(what: "read+parse", seconds: seconds, cpuSeconds: cpuSeconds(RUSAGE_SELF) - cpuBefore))
    }
    for _ in 0..<rounds {
        let cpuBefore = cpuSeconds(RUSAGE_SELF)
        let start = Date()
        let report: PreviewReport
        do {
            report = try PreviewPlanner(config: parsed, layout: QueueLayout(root: root + "/queue")).plan(paths: [], now: Date())
        } catch {
            fatalError("preview failed: \(error)")
        }
        let seconds = Date().timeIntervalSince(start)
        let cpu = cpuSeconds(RUSAGE_SELF) - cpuBefore
        let deliveries = report.posts.reduce(0) { $0 + $1.deliveries.filter { $0.at != nil }.count }
        guard deliveries == expected else { fatalError("preview planned \(deliveries) deliveries, expected \(expected)") }
        results.append(PreviewRound(what: "planner", seconds: seconds, cpuSeconds: cpu))
    }
    guard let crierPath else { return results }
    var binaries = [(crierPath, "")]
    if let baseline = environment["CRIER_BENCH_BASELINE_CRIER"], !baseline.isEmpty { binaries.append((baseline, " (baseline)")) }
    for (label, flags) in [("crier preview --json", ["--json"]), ("crier preview", [])] {
        for _ in 0..<rounds {
            for (binary, suffix) in binaries {
                let output = root + "/preview-output"
                let cpuBefore = cpuSeconds(RUSAGE_CHILDREN)
                let run = spawnAndWait(binary, ["preview", "--config", root + "/crier.yml"] + flags, outputPath: output)
                let cpu = cpuSeconds(RUSAGE_CHILDREN) - cpuBefore
                guard run.status == 0 else { fail("\(label)\(suffix) exited with \(run.status); see \(output)") }
                let planned = plannedCount(inOutput: output, json: !flags.isEmpty)
                guard planned == expected else { fail("\(label)\(suffix) showed \(planned) planned deliveries, expected \(expected)") }
                results.append(PreviewRound(what: label + suffix, seconds: run.seconds, cpuSeconds: cpu))
            }
        }
    }
    return results
}

/// Words for `CRIER_BENCH_PREVIEW_WORDS` posts: plain English, a few longer ones.
private let benchWords = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "release", "swift", "build",
                          "crier", "post", "channel", "queue", "schedule", "time", "morning", "evening", "launch",
                          "update", "news", "team", "open", "source", "community", "thanks", "performance"]

/// A small deterministic generator (SplitMix64), so every run writes the same posts.
private struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Planned deliveries in a preview's output: `"at" : "…"` entries in JSON, time-stamped block
/// titles (`  09:00  alpha (webhook) · …`) in the timeline.
private func plannedCount(inOutput path: String, json: Bool) -> Int {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return -1 }
    if json { return text.components(separatedBy: "\"at\" : \"").count - 1 }
    return text.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.dropFirst(2).first?.isNumber == true && $0.contains(" · ") }.count
}

/// One row per round, then the median of each kind; the target is judged on the medians.
func printPreviewTable(posts: Int, rounds: [PreviewRound]) {
    print("preview: \(posts) posts x 5 channels = \(posts * 5) planned deliveries, one queue, side by side")
    print("what                             | round | wall s | cpu s")
    var round: [String: Int] = [:]
    for result in rounds {
        round[result.what, default: 0] += 1
        print("\(result.what.padding(toLength: 32, withPad: " ", startingAt: 0)) | \(String(round[result.what]!).padding(toLength: 5, withPad: " ", startingAt: 0)) | \(format(result.seconds, 3))  | \(format(result.cpuSeconds, 3))")
    }
    var kinds: [String] = []
    for result in rounds where !kinds.contains(result.what) { kinds.append(result.what) }
    for kind in kinds {
        let of = rounds.filter { $0.what == kind }
        let wall = median(of.map(\.seconds))
        if kind == "read+parse" {
            let cpu = median(of.map(\.cpuSeconds))
            print("median \(kind): wall \(format(wall, 3)) s, cpu \(format(cpu, 3)) s = \(format(cpu / Double(max(posts, 1)) * 1e6, 1)) µs of CPU per post (one thread)")
            continue
        }
        print("median \(kind): wall \(format(wall, 3)) s (max \(format(of.map(\.seconds).max() ?? 0, 3)) s), cpu \(format(median(of.map(\.cpuSeconds)), 3)) s; target wall ≤ 1 s: \(wall <= 1 ? "MET" : "NOT MET")")
    }
}

private func cpuSeconds(_ who: __rusage_who) -> Double {
    var usage = rusage()
    getrusage(who.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
}
