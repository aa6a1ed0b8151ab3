// crier-bench: delivery throughput of `crier run --once` against a bare libcurl multi loop (the
// ceiling), measured side by side in one run against the same loopback sink.
//
//   crier-bench --url http://127.0.0.1:PORT/hook [--posts N] [--concurrency N] [--rounds N]
//               [--crier PATH] [--workdir DIR] [--no-diagnostics] [--keep]
//   crier-bench ceiling URL [--requests N] [--concurrency N]
//   crier-bench render [--posts N]          (RenderBenchmark.swift: renderer throughput, no network)
//   crier-bench media [--rounds N]          (MediaBenchmark.swift: deriving a 24-megapixel photo)
//
// Usually started by bench/run.sh, which also brings up the nginx sink and builds everything.

import CrierCore
import CrierDaemon
import Foundation
import Glibc

// MARK: - Arguments

struct Options {
    var url = ""
    var posts = 10_000
    var concurrency = 50
    var rounds = 3
    var crierPath = ""
    var workdir = ""
    var diagnostics = true
    var keep = false
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("crier-bench: \(message)\n".utf8))
    exit(1)
}

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: crier-bench --url URL [--posts N] [--concurrency N] [--rounds N] [--crier PATH] [--workdir DIR] [--no-diagnostics] [--keep]
               crier-bench ceiling URL [--requests N] [--concurrency N]
               crier-bench render [--posts N]
               crier-bench media [--rounds N]
               crier-bench preview [--posts N] [--rounds N] [--crier PATH]

        """.utf8))
    exit(2)
}

func positiveInt(_ text: String?, _ flag: String) -> Int {
    guard let text, let value = Int(text), value > 0 else { fail("\(flag) needs a positive integer") }
    return value
}

/// The loopback-only rule: the benchmark never sends anywhere but 127.0.0.1.
func requireLoopback(_ url: String) {
    guard url.hasPrefix("http://127.0.0.1:") || url.hasPrefix("http://127.0.0.1/") else {
        fail("the sink URL must be http://127.0.0.1:PORT/...; got \(url)")
    }
}

// MARK: - Shared fixtures

let signingSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
let channelName = "sink"

/// Plain text (no Markdown), sized so the signed webhook JSON body is about 400 bytes.
func postText(_ number: Int) -> String {
    "Text of post \(number). We just shipped version 2: faster builds, smaller binaries and a new dashboard for every team. Release notes and the upgrade guide are on the blog."
}

func postName(_ number: Int, width: Int) -> String {
    let digits = String(number)
    return "p" + String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Exactly the request crier's webhook adapter builds for post 1 (body, Standard Webhooks headers and
/// signature), so the ceiling sends the same bytes per request as crier does.
func representativeRequest(url: String) -> (body: Data, headers: [String]) {
    let post = Post(id: "p00001", file: "p00001.md", channels: .named([channelName]), body: postText(1))
    let channel = ChannelConfig(name: channelName, platform: .webhook, url: url)
    var random = SystemRandomNumberGenerator()
    let context = DeliveryContext(deliveryID: DeliveryID.make(using: &random), post: post, channel: channel,
                                  secrets: ["secret": Secret(signingSecret)], part: 1, partCount: 1,
                                  rendered: RenderedPart(text: postText(1), length: 0, limit: nil), scheduledAt: Date())
    let media = QueueMediaSource(root: FileManager.default.currentDirectoryPath)
    guard case .request(let step) = WebhookAdapter().nextStep(for: context, progress: .start, media: media, now: Date()) else {
        fail("cannot build the webhook request")
    }
    return (step.request.body, step.request.headers.map { "\($0.name): \($0.value)" })
}

// MARK: - Time

/// The 1-minute load average: other work on the machine skews both sides of the ratio.
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

func format(_ value: Double, _ decimals: Int = 0) -> String {
    String(format: "%.\(decimals)f", value)
}

// MARK: - Subprocess

/// Runs `path arguments...` with stdout/stderr sent to `stderrPath` (both), waits for it, and returns
/// the exit status and the wall time from just before `posix_spawn` to `waitpid` returning.
func spawnAndWait(_ path: String, _ arguments: [String], outputPath: String) -> (status: Int32, seconds: Double, launchedAt: Date) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let clock = ContinuousClock()
    let launchedAt = Date()
    let start = clock.now
    let spawnCode = argv.withUnsafeBufferPointer { buffer in
        posix_spawn(&pid, path, &actions, nil, buffer.baseAddress!, environ)
    }
    guard spawnCode == 0 else { fail("cannot start \(path): \(String(cString: strerror(spawnCode)))") }
    var status: Int32 = 0
    do {
        try SystemCall.retrying("waitpid") { waitpid(pid, &status, 0) }
    } catch {
        fail("\(error)")
    }
    let elapsed = seconds(start.duration(to: clock.now))
    // WIFEXITED / WEXITSTATUS, spelled out (the macros are not imported).
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, elapsed, launchedAt)
}

// MARK: - The crier run

struct CrierRun {
    var seconds: Double
    var launchedAt: Date
    var logPath: String
}

/// A fresh queue with `count` due-now post files and its config. Untimed. The files' mtimes are set a
/// minute back so intake treats them as settled at once (they model posts that were dropped earlier and
/// are due now), and everything is synced so crier's own `syncfs` does not pay for writing them.
func prepareQueue(root: String, count: Int, url: String, concurrency: Int) -> (queue: String, config: String) {
    let queue = root + "/queue"
    do {
        try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
    } catch {
        fail("cannot create \(queue): \(error)")
    }
    let width = max(5, String(count).count)
    var past = [timespec](repeating: timespec(tv_sec: time(nil) - 60, tv_nsec: 0), count: 2)
    for number in 1...count {
        let path = "\(queue)/\(postName(number, width: width)).md"
        let text = "---\nchannels: [\(channelName)]\n---\n\(postText(number))\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { fail("cannot write \(path)") }
        guard utimensat(AT_FDCWD, path, &past, 0) == 0 else { fail("utimensat \(path): \(String(cString: strerror(errno)))") }
    }
    let config = root + "/crier.yml"
    let yaml = """
        queue: \(queue)
        timezone: UTC
        delivery: { max_in_flight: \(concurrency) }
        channels:
          \(channelName):
            platform: webhook
            url: \(url)
            secret: \(signingSecret)

        """
    do {
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
    } catch {
        fail("cannot write \(config): \(error)")
    }
    sync()
    return (queue, config)
}

/// Fails loudly unless every post is in sent/ beside its receipt, nothing is left, failed or
/// rejected, and the journal holds `count` sent posts with one sent delivery each.
func verify(queue: String, count: Int, label: String) {
    let files = FileManager.default
    let pendingLeft = ((try? files.contentsOfDirectory(atPath: queue)) ?? []).filter { $0.hasSuffix(".md") }
    let sent = (try? files.contentsOfDirectory(atPath: queue + "/sent")) ?? []
    let sentPosts = sent.filter { $0.hasSuffix(".md") }.count
    let receipts = sent.filter { $0.hasSuffix(".receipt.json") }.count
    let failed = ((try? files.contentsOfDirectory(atPath: queue + "/failed")) ?? []).count
    let rejected = ((try? files.contentsOfDirectory(atPath: queue + "/rejected")) ?? []).count
    var problems: [String] = []
    if !pendingLeft.isEmpty { problems.append("\(pendingLeft.count) post files still pending in the queue") }
    if sentPosts != count { problems.append("\(sentPosts) posts in sent/, expected \(count)") }
    if receipts != count { problems.append("\(receipts) receipts in sent/, expected \(count)") }
    if failed != 0 { problems.append("\(failed) files in failed/") }
    if rejected != 0 { problems.append("\(rejected) files in rejected/") }
    do {
        let journal = try JournalStore.open(QueueLayout(root: queue))
        let counts = try journal.postCounts()
        if counts[.sent] != count { problems.append("journal: \(counts[.sent] ?? 0) sent posts, expected \(count) (all states: \(counts))") }
        let width = max(5, String(count).count)
        var sentDeliveries = 0, otherDeliveries = 0
        for number in 1...count {
            guard let (_, records) = try journal.post(id: postName(number, width: width)) else { continue }
            for record in records {
                if record.status == .sent && record.httpStatus == 200 { sentDeliveries += 1 } else { otherDeliveries += 1 }
            }
        }
        if sentDeliveries != count || otherDeliveries != 0 {
            problems.append("journal: \(sentDeliveries) sent deliveries (HTTP 200) and \(otherDeliveries) others, expected \(count) sent")
        }
    } catch {
        problems.append("cannot read the journal: \(error)")
    }
    if !problems.isEmpty {
        fail("\(label): verification FAILED in \(queue):\n  " + problems.joined(separator: "\n  "))
    }
}

func runCrier(options: Options, round: String, logLevel: String, logToFile: Bool) -> CrierRun {
    let root = options.workdir + "/" + round
    try? FileManager.default.removeItem(atPath: root)
    let (queue, config) = prepareQueue(root: root, count: options.posts, url: options.url, concurrency: options.concurrency)
    let logPath = logToFile ? root + "/crier.log" : "/dev/null"
    let (status, elapsed, launchedAt) = spawnAndWait(options.crierPath, ["run", "--once", "--queue", queue, "--config", config,
                                                            "--log-level", logLevel], outputPath: logPath)
    guard status == 0 else {
        fail("\(round): crier exited with status \(status)" + (logToFile ? " (log: \(logPath))" : ""))
    }
    verify(queue: queue, count: options.posts, label: round)
    // Rounds' files are deleted at the very end, not here: ext4 skips recently deleted inodes when
    // it allocates new ones, and after 20,000 deletions the next round's file creations (the queue,
    // then crier's receipts) crawled through `recently_deleted`, making every other round ~3x slower.
    return CrierRun(seconds: elapsed, launchedAt: launchedAt, logPath: logPath)
}

// MARK: - Phase hint from crier's info log

/// Timestamps of the interesting lines of an info-level log (`2026-11-21T10:00:00.123Z info message ...`).
func phaseHint(logPath: String, launchedAt: Date, exitedAt: Date) -> String {
    guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "  (no log at \(logPath))" }
    let parser = ISO8601DateFormatter()
    parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    var first: [String: Date] = [:], last: [String: Date] = [:], counts: [String: Int] = [:]
    let messages = ["crier started", "post accepted", "delivery sent", "post finished", "crier stopping", "crier stopped"]
    for line in text.split(separator: "\n") {
        guard let space = line.firstIndex(of: " "), let stamp = parser.date(from: String(line[..<space])) else { continue }
        let rest = line[line.index(after: space)...]
        guard let levelEnd = rest.firstIndex(of: " ") else { continue }
        let message = rest[rest.index(after: levelEnd)...]
        for name in messages where message.hasPrefix(name) {
            if first[name] == nil { first[name] = stamp }
            last[name] = stamp
            counts[name, default: 0] += 1
        }
    }
    func at(_ date: Date?) -> String { date.map { format($0.timeIntervalSince(launchedAt), 3) + " s" } ?? "-" }
    var lines = ["  times after launch (log timestamps have millisecond resolution):"]
    lines.append("    crier started          \(at(first["crier started"]))")
    lines.append("    post accepted   first  \(at(first["post accepted"]))   last \(at(last["post accepted"]))   (\(counts["post accepted"] ?? 0) lines)")
    lines.append("    delivery sent   first  \(at(first["delivery sent"]))   last \(at(last["delivery sent"]))   (\(counts["delivery sent"] ?? 0) lines)")
    lines.append("    post finished   first  \(at(first["post finished"]))   last \(at(last["post finished"]))   (\(counts["post finished"] ?? 0) lines)")
    lines.append("    crier stopping         \(at(first["crier stopping"]))")
    lines.append("    crier stopped          \(at(first["crier stopped"]))")
    lines.append("    process exited         \(at(exitedAt))")
    if let firstSent = first["delivery sent"], let lastSent = last["delivery sent"], lastSent > firstSent {
        let rate = Double((counts["delivery sent"] ?? 1) - 1) / lastSent.timeIntervalSince(firstSent)
        lines.append("    send phase rate (first to last 'delivery sent'): \(format(rate)) deliveries/s")
    }
    return lines.joined(separator: "\n")
}

// MARK: - Commands

func runCeilingCommand(_ arguments: [String]) -> Never {
    var url: String?
    var requests = 10_000, concurrency = 50
    var index = 0
    while index < arguments.count {
        switch arguments[index] {
        case "--requests": index += 1; requests = positiveInt(arguments[safe: index], "--requests")
        case "--concurrency": index += 1; concurrency = positiveInt(arguments[safe: index], "--concurrency")
        case let value where !value.hasPrefix("-") && url == nil: url = value
        default: usage()
        }
        index += 1
    }
    guard let url else { usage() }
    requireLoopback(url)
    let (body, headers) = representativeRequest(url: url)
    let result = runBareCurlCeiling(url: url, requests: requests, concurrency: concurrency, body: body, headers: headers)
    print("ceiling: \(result.ok) ok, \(result.failed) failed in \(format(result.seconds, 3)) s = \(format(Double(result.ok) / result.seconds)) req/s (body \(body.count) bytes, concurrency \(concurrency))")
    exit(result.failed == 0 ? 0 : 1)
}

func value(_ arguments: [String], _ index: Int) -> String {
    guard index < arguments.count else { usage() }
    return arguments[index]
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

func runBenchmark(_ arguments: [String]) {
    var options = Options()
    var index = 0
    while index < arguments.count {
        switch arguments[index] {
        case "--url": index += 1; options.url = value(arguments, index)
        case "--posts": index += 1; options.posts = positiveInt(arguments[safe: index], "--posts")
        case "--concurrency": index += 1; options.concurrency = positiveInt(arguments[safe: index], "--concurrency")
        case "--rounds": index += 1; options.rounds = positiveInt(arguments[safe: index], "--rounds")
        case "--crier": index += 1; options.crierPath = value(arguments, index)
        case "--workdir": index += 1; options.workdir = value(arguments, index)
        case "--no-diagnostics": options.diagnostics = false
        case "--keep": options.keep = true
        case "-h", "--help": usage()
        default: usage()
        }
        index += 1
    }
    guard !options.url.isEmpty else { usage() }
    requireLoopback(options.url)
    if options.crierPath.isEmpty {
        // Built side by side: .build-bench/release/{crier,crier-bench}.
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        options.crierPath = me.deletingLastPathComponent().appendingPathComponent("crier").path
    }
    guard FileManager.default.isExecutableFile(atPath: options.crierPath) else { fail("no crier binary at \(options.crierPath); pass --crier PATH") }
    var createdWorkdir = false
    if options.workdir.isEmpty {
        var template = Array("/var/tmp/crier-bench.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fail("mkdtemp: \(String(cString: strerror(errno)))") }
        options.workdir = String(cString: made)
        createdWorkdir = true
    }

    let (body, headers) = representativeRequest(url: options.url)
    print("crier-bench: \(options.posts) posts, concurrency \(options.concurrency), \(options.rounds) rounds, sink \(options.url)")
    print("  crier: \(options.crierPath) run --once --log-level warning (journal WAL, synchronous=FULL)")
    print("  work dir: \(options.workdir)")
    print("  load average before: \(loadAverage())  (anything else running on the machine skews the numbers)")
    print("  request body: \(body.count) bytes JSON + \(headers.count) headers (Standard Webhooks signed), same for both")

    // Warm-up (untimed): nginx worker, page cache, the crier binary.
    let warm = runBareCurlCeiling(url: options.url, requests: min(2_000, options.posts), concurrency: options.concurrency,
                                  body: body, headers: headers)
    guard warm.failed == 0 else { fail("warm-up: \(warm.failed) requests to \(options.url) failed; is the sink up?") }

    var ceilingRates: [Double] = [], crierRates: [Double] = []
    print("")
    print("round  ceiling s  ceiling req/s  crier s  crier posts/s  ratio")
    for round in 1...options.rounds {
        let ceiling = runBareCurlCeiling(url: options.url, requests: options.posts, concurrency: options.concurrency,
                                         body: body, headers: headers)
        guard ceiling.failed == 0, ceiling.ok == options.posts else {
            fail("round \(round): ceiling had \(ceiling.failed) failed requests")
        }
        let crier = runCrier(options: options, round: "round\(round)", logLevel: "warning", logToFile: false)
        let ceilingRate = Double(options.posts) / ceiling.seconds
        let crierRate = Double(options.posts) / crier.seconds
        ceilingRates.append(ceilingRate)
        crierRates.append(crierRate)
        print(String(format: "%5d  %9.3f  %13.0f  %7.3f  %13.0f  %5.2f", round, ceiling.seconds, ceilingRate, crier.seconds,
                     crierRate, crierRate / ceilingRate))
        fflush(nil)
    }
    let ceilingMedian = median(ceilingRates), crierMedian = median(crierRates)
    let ratio = crierMedian / ceilingMedian
    print("load average after the rounds: \(loadAverage())")
    print("")
    print("median ceiling: \(format(ceilingMedian)) req/s")
    print("median crier:   \(format(crierMedian)) posts/s  (all \(options.posts) receipts in sent/ and sent in the journal, every round)")
    print("ratio = crier/ceiling = \(format(ratio, 2))  (target >= 0.80: \(ratio >= 0.8 ? "MET" : "NOT MET"))")
    fflush(nil)

    if options.diagnostics {
        print("")
        print("diagnostics (not part of the ratio):")
        let quiet = runCrier(options: options, round: "info-devnull", logLevel: "info", logToFile: false)
        print("  crier --log-level info, log to /dev/null: \(format(quiet.seconds, 3)) s = \(format(Double(options.posts) / quiet.seconds)) posts/s")
        let logged = runCrier(options: options, round: "info-file", logLevel: "info", logToFile: true)
        let launched = logged.launchedAt
        let exited = launched.addingTimeInterval(logged.seconds)
        print("  crier --log-level info, log to a file:    \(format(logged.seconds, 3)) s = \(format(Double(options.posts) / logged.seconds)) posts/s")
        print(phaseHint(logPath: logged.logPath, launchedAt: launched, exitedAt: exited))
    }
    if !options.keep {
        let rounds = (1...options.rounds).map { "round\($0)" } + ["info-devnull", "info-file"]
        for round in rounds { try? FileManager.default.removeItem(atPath: options.workdir + "/" + round) }
        if createdWorkdir { try? FileManager.default.removeItem(atPath: options.workdir) }
    }
}

// MARK: - Entry

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "ceiling": runCeilingCommand(Array(arguments.dropFirst()))
case "render":
    let rest = Array(arguments.dropFirst())
    var posts = 10_000
    if !rest.isEmpty {
        guard rest.count == 2, rest[0] == "--posts" else { usage() }
        posts = positiveInt(rest[1], "--posts")
    }
    let result = runRenderBenchmark(posts: posts)
    print("render: \(result.variants) variants in \(format(result.seconds, 3)) s = \(format(Double(result.variants) / result.seconds)) variants/s")
case "media":
    let rest = Array(arguments.dropFirst())
    var rounds = 3
    if !rest.isEmpty {
        guard rest.count == 2, rest[0] == "--rounds" else { usage() }
        rounds = positiveInt(rest[1], "--rounds")
    }
    runMediaBenchmark(rounds: rounds)
case "media-one": runMediaOne(Array(arguments.dropFirst()))
case "preview":
    var rest = Array(arguments.dropFirst())
    var posts = 10_000
    var rounds = 5
    var crierPath: String? = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("crier").path
    while rest.count >= 2 {
        switch rest[0] {
        case "--posts": posts = positiveInt(rest[1], "--posts")
        case "--rounds": rounds = positiveInt(rest[1], "--rounds")
        case "--crier": crierPath = rest[1]
        default: usage()
        }
        rest.removeFirst(2)
    }
    guard rest.isEmpty else { usage() }
    if let path = crierPath, !FileManager.default.isExecutableFile(atPath: path) {
        print("(no crier binary at \(path): timing the planner only; build the crier product too, or pass --crier PATH)")
        crierPath = nil
    }
    printPreviewTable(posts: posts, rounds: runPreviewBenchmark(posts: posts, rounds: rounds, crierPath: crierPath))
case "run": runBenchmark(Array(arguments.dropFirst()))
default: runBenchmark(arguments)
}
