import CrierCore
import CrierTestSupport
import Foundation
import Glibc
import Testing

/// Several daemons, one PostgreSQL (`store: { kind: postgres }`): the real `crier` binary as
/// subprocesses, each node with its own queue directory and config, one fresh database per test
/// (`scripts/postgres.sh start` runs the server; scripts/test.sh does it for you), `crier migrate`
/// run once first. Serialized: the chaos test stops the whole server for 10 s.
@Suite(.serialized) struct ClusterEndToEndTests {
    /// Receivers log arrival times, which lag the senders' decisions by the path from a decision to
    /// the request's last byte: the throttled send's commit to PostgreSQL before the request goes
    /// out, libcurl's connect, loopback. Within one daemon that path is about the same for every
    /// request (ThrottleEndToEndTests allows 50 ms); between two processes on a loaded 2-core
    /// machine it differs by up to tens of milliseconds, so a gap between requests of two nodes
    /// may look up to that much shorter than the gap they kept: 100 ms.
    static let slack: TimeInterval = 0.1

    /// A fresh database on the test server, and `crier migrate` run on it through `node`'s config.
    static func migrate(_ node: ClusterNode) throws {
        let migrated = try node.crier(["migrate"])
        try #require(migrated.status == 0, "crier migrate: \(migrated.error)\(migrated.output)")
    }

    /// Two nodes, node-a and node-b, on `database` (migrated), both started.
    static func startPair(_ database: PostgresDatabase, channels: String) throws -> (ClusterNode, ClusterNode) {
        let a = try ClusterNode(name: "node-a", database: database, channels: channels)
        let b = try ClusterNode(name: "node-b", database: database, channels: channels)
        try migrate(a)
        try a.start()
        try b.start()
        return (a, b)
    }

    static func tail(_ nodes: [ClusterNode]) -> String {
        nodes.map { "--- \($0.name):\n\($0.log.suffix(2500))" }.joined(separator: "\n")
    }

    /// `crier status --json` on `node`: the asking node and each node's state.
    static func clusterStatus(_ node: ClusterNode) throws -> (node: String?, states: [String: String], text: String) {
        let status = try node.crier(["status", "--json"])
        try #require(status.status == 0, "crier status: \(status.error)")
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
        let cluster = json?["cluster"] as? [String: Any]
        var states: [String: String] = [:]
        for member in cluster?["nodes"] as? [[String: Any]] ?? [] {
            if let name = member["name"] as? String { states[name] = member["state"] as? String }
        }
        return (cluster?["node"] as? String, states, status.output)
    }

    @Test func eachTestGetsAFreshDatabaseOfItsOwnThatIsDroppedAfterwards() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        #expect(try database.query("SELECT current_database(), current_user") == "\(database.name)|crier")
        #expect(try database.query("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'") == "0")
        let other = try server.createDatabase()
        #expect(other.name != database.name)
        other.drop()
        database.drop()
        let left = try server.admin("SELECT count(*) FROM pg_database WHERE datname IN ('\(database.name)', '\(other.name)')")
        #expect(left == "0")
    }

    @Test func aDaemonRefusesAnUnmigratedDatabaseAndCrierMigrateMakesItReady() throws {
        let database = try PostgresServer.running().createDatabase()
        defer { database.drop() }
        let sink = try WebhookSink()
        defer { sink.stop() }
        let node = try ClusterNode(name: "node-a", database: database, channels: ClusterNode.channels([("alpha", sink.url)]))
        let refused = try node.crier(["run"])
        #expect(refused.status != 0, "a daemon on a database without the schema exits")
        #expect(refused.error.contains("crier migrate"), "and says what to run: \(refused.error)")
        let first = try node.crier(["migrate"])
        #expect(first.status == 0, "\(first.error)")
        let again = try node.crier(["migrate"])
        #expect(again.status == 0, "migrating a current schema again changes nothing: \(again.error)")
        node.drop(count: 1, prefix: "ready") { _ in ["alpha"] }
        try node.start()
        defer { node.kill() }
        #expect(eventually(timeout: 30) { node.files("sent", suffix: ".receipt.json").count == 1 }, "\(node.log.suffix(3000))")
        #expect(sink.inbox.arrivals.count == 1)
    }

    /// A daemon started while PostgreSQL is down waits for it (it does not exit and leave systemd to
    /// give up after five restarts) and starts once it answers; a database that refuses it for good
    /// (a wrong password) is not waited for.
    @Test func aDaemonStartedWhileTheDatabaseIsDownWaitsForItButNotForAWrongPassword() throws {
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        defer { database.drop() }
        let sink = try WebhookSink()
        defer { sink.stop() }
        let node = try ClusterNode(name: "node-a", database: database, channels: ClusterNode.channels([("alpha", sink.url)]))
        defer { node.kill() }
        try Self.migrate(node)

        let config = try String(contentsOfFile: node.configPath, encoding: .utf8)
        let wrong = node.directory.write("not-the-password", to: "wrong-password")
        chmod(wrong, 0o600)
        node.directory.write(config.replacingOccurrences(of: "password: env:CRIER_PG_PASSWORD", with: "password: file:\(wrong)"), to: "crier.yml")
        let started = Date()
        let refused = try node.crier(["run"])
        #expect(refused.status != 0 && Date().timeIntervalSince(started) < 20, "a wrong password is not waited for")
        #expect(refused.error.contains("password authentication failed"), "\(refused.error)")
        #expect(!refused.error.contains("waiting for it"), "\(refused.error)")
        node.directory.write(config, to: "crier.yml")

        let outage = try server.pause(seconds: 8)
        defer { #expect(outage.waitForExit(timeout: 60) == 0, "scripts/postgres.sh pause") }
        try #require(eventually(timeout: 10) { (try? database.query("SELECT 1")) == nil }, "the server stops")
        try node.launch()
        node.drop(count: 1, prefix: "waiting") { _ in ["alpha"] }
        Thread.sleep(forTimeInterval: 3)
        #expect(node.isRunning, "the daemon waits: \(node.log.suffix(2000))")
        #expect(node.log.contains("the shared store does not answer; waiting for it before starting"), "\(node.log.suffix(2000))")
        #expect(node.process?.waitForLog("crier started", timeout: 45) == true, "it starts once the server is back: \(node.log.suffix(3000))")
        #expect(node.log.contains("the shared store answers; starting"), "\(node.log.suffix(2000))")
        #expect(eventually(timeout: 30) { node.files("sent", suffix: ".receipt.json").count == 1 }, "\(node.log.suffix(3000))")
        #expect(sink.inbox.arrivals.count == 1)
    }

    @Test func twoDaemonsDeliverEveryPostOnceAndEachFilesItsOwn() throws {
        let database = try PostgresServer.running().createDatabase()
        defer { database.drop() }
        let sinks = ["alpha": try WebhookSink(), "beta": try WebhookSink()]
        defer { for sink in sinks.values { sink.stop() } }
        let channels = ClusterNode.channels(sinks.keys.sorted().map { ($0, sinks[$0]!.url) })
        let (a, b) = try Self.startPair(database, channels: channels)
        let nodes = [a, b]
        defer { for node in nodes { node.kill() } }
        let onA = a.drop(count: 30, prefix: "a") { _ in ["alpha", "beta"] }
        let onB = b.drop(count: 30, prefix: "b") { index in index % 2 == 0 ? ["alpha"] : ["alpha", "beta"] }
        var expected: [String: [String]] = [:]
        for id in onA { expected[id] = ["alpha", "beta"] }
        for (index, id) in onB.enumerated() { expected[id] = index % 2 == 0 ? ["alpha"] : ["alpha", "beta"] }

        let filed = eventually(timeout: 90) {
            a.files("sent", suffix: ".receipt.json").count == onA.count && b.files("sent", suffix: ".receipt.json").count == onB.count
        }
        #expect(filed, "receipts: a \(a.files("sent", suffix: ".receipt.json").count), b \(b.files("sent", suffix: ".receipt.json").count)\n\(Self.tail(nodes))")
        // `crier status` on either node shows the whole cluster; a node stopped cleanly says so.
        let running = try Self.clusterStatus(b)
        #expect(running.states == ["node-a": "alive", "node-b": "alive"], "\(running.text)")
        #expect(running.node == "node-b")
        #expect(a.stop(), "node-a stops on SIGTERM")
        let afterStop = try Self.clusterStatus(b)
        #expect(afterStop.states == ["node-a": "stopped", "node-b": "alive"], "\(afterStop.text)")
        let human = try b.crier(["status"])
        #expect(human.output.contains("cluster   2 nodes on postgres://crier@"), "\(human.output)")
        #expect(human.output.contains("node-a  stopped"), "\(human.output)")
        for node in nodes { #expect(node.stop(), "\(node.name) stops on SIGTERM") }
        let ledger = DeliveryLedger(sinks)
        let problems = ledger.problems(expected: expected)
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(ledger.repeats == 0, "no fault, so no request is repeated: \(ledger.repeats)")
        #expect(ledger.requests["alpha"] == 60 && ledger.requests["beta"] == 45, "requests: \(ledger.requests)")
        #expect(a.filingProblems(onA).isEmpty, "\(a.filingProblems(onA).prefix(10))")
        #expect(b.filingProblems(onB).isEmpty, "\(b.filingProblems(onB).prefix(10))")
    }

    /// One post id, two nodes: dropped on a second node later, or on both at the same moment, it is
    /// one post — delivered once, filed by the node that took it in, the other file rejected with
    /// the reason.
    @Test func theSamePostIDDroppedOnTwoNodesIsOnePost() throws {
        let database = try PostgresServer.running().createDatabase()
        defer { database.drop() }
        let sink = try WebhookSink()
        defer { sink.stop() }
        let channels = ClusterNode.channels([("alpha", sink.url)])
        let (a, b) = try Self.startPair(database, channels: channels)
        let nodes = [a, b]
        defer { for node in nodes { node.kill() } }
        func place(_ node: ClusterNode, _ id: String, _ text: String) {
            let staged = node.directory.write("---\nid: \(id)\nchannels: [alpha]\n---\n\(text)\n", to: "staging/\(id)-\(node.name).md")
            #expect(rename(staged, node.queue + "/\(id).md") == 0)
        }
        // Later: node-b refuses it, naming node-a.
        place(a, "later", "Dropped on node-a first.")
        #expect(eventually(timeout: 30) { a.files("sent", suffix: ".receipt.json") == ["later.receipt.json"] }, "\(Self.tail(nodes))")
        place(b, "later", "The same id on node-b.")
        #expect(eventually(timeout: 30) { b.files("rejected", suffix: ".error.txt") == ["later.error.txt"] }, "\(Self.tail(nodes))")
        let reason = (try? String(contentsOfFile: b.queue + "/rejected/later.error.txt", encoding: .utf8)) ?? ""
        #expect(reason.contains("dropped on node node-a"), "\(reason)")

        // At the same moment: one of them takes it in, the other rejects its file.
        place(a, "twin", "Twin from node-a.")
        place(b, "twin", "Twin from node-b.")
        let settled = eventually(timeout: 45) {
            let sent = a.files("sent", suffix: ".receipt.json").count + b.files("sent", suffix: ".receipt.json").count
            let rejected = a.files("rejected", suffix: ".error.txt").count + b.files("rejected", suffix: ".error.txt").count
            return sent == 2 && rejected == 2
        }
        let filing = "sent a \(a.files("sent", suffix: ".md")), b \(b.files("sent", suffix: ".md")); "
            + "rejected a \(a.files("rejected", suffix: ".md")), b \(b.files("rejected", suffix: ".md"))"
        #expect(settled, "\(filing)\n\(Self.tail(nodes))")
        Thread.sleep(forTimeInterval: 1)
        let twins = sink.inbox.arrivals.filter { $0.post == "twin" }
        #expect(twins.count == 1, "delivered once: \(twins.map(\.webhookID))")
        #expect(sink.inbox.arrivals.filter { $0.post == "later" }.count == 1)
        for node in nodes { #expect(node.stop(), "\(node.name) stops on SIGTERM") }
    }

    @Test func aKilledNodesDeliveryIsTakenOverWithinTheLeaseWithItsOwnID() throws {
        let lease: TimeInterval = 5
        let database = try PostgresServer.running().createDatabase()
        defer { database.drop() }
        // The first request is held (it never reaches the receiver's logic): its sender is mid-send.
        let sink = try WebhookSink(fault: { _, index in index == 0 ? .stall : nil })
        defer { sink.stop() }
        let channels = ClusterNode.channels([("alpha", sink.url)])
        let a = try ClusterNode(name: "node-a", database: database, channels: channels, lease: "\(Int(lease))s")
        let b = try ClusterNode(name: "node-b", database: database, channels: channels, lease: "\(Int(lease))s")
        let nodes = [a, b]
        defer { for node in nodes { node.kill() } }
        try Self.migrate(a)
        try a.start()
        a.drop(count: 1, prefix: "held") { _ in ["alpha"] }
        try #require(eventually(timeout: 30) { sink.faulted.count == 1 }, "node-a sends: \(a.log.suffix(3000))")
        let stalledID = sink.faulted[0].webhookID
        // node-b starts while node-a holds the delivery, and stays off it longer than a lease:
        // a live holder renews its claim.
        try b.start()
        Thread.sleep(forTimeInterval: lease + 2)
        #expect(sink.inbox.arrivals.isEmpty, "nothing is taken over from a live node: \(sink.inbox.arrivals.map(\.webhookID))")

        a.kill()
        let killedAt = Date()
        let delivered = sink.wait(timeout: lease + 20) { $0.contains { (200..<300).contains($0.status) } }
        let arrival = try #require(sink.inbox.arrivals.first, "node-b never delivered it: \(Self.tail(nodes))")
        let took = arrival.receivedAt.timeIntervalSince(killedAt)
        print(String(format: "cluster take-over: delivered by another node %.1f s after its holder was killed (lease %.0f s, bound %.0f s)",
                     took, lease, lease + 10))
        #expect(delivered)
        #expect(took <= lease + 10, "taken over \(took) s after the kill")
        #expect(arrival.webhookID == stalledID, "the same delivery, under the id it was first sent with")
        #expect(sink.inbox.arrivals.count == 1)
        let status = try Self.clusterStatus(b)
        #expect(status.states == ["node-a": "silent", "node-b": "alive"], "a killed node shows as silent: \(status.text)")

        // The file is node-a's: filed there once it is back, and not sent again.
        try a.start()
        #expect(eventually(timeout: 30) { a.filingProblems(["held-0000"]).isEmpty }, "\(a.filingProblems(["held-0000"]))\n\(Self.tail(nodes))")
        Thread.sleep(forTimeInterval: 1)
        #expect(sink.inbox.arrivals.count == 1, "a restart sends nothing again")
    }

    /// A post with an image, dropped on node-a, which dies before it is due: node-b delivers it with
    /// the image, read from the database (node-a's queue directory is out of its reach), and the
    /// image leaves the database once node-a, back, has filed the post.
    @Test func aPostWithAnImageIsDeliveredByAnotherNodeWhenItsNodeIsDown() throws {
        let token = "ODk4NzY1NDMyMTA5ODc2NTQz.cluster.bot-token"
        let database = try PostgresServer.running().createDatabase()
        defer { database.drop() }
        let server = try DiscordFakeServer(botToken: token, channels: ["555"])
        defer { server.stop() }
        let secrets = TemporaryDirectory(prefix: "crier-cluster-secret")
        let tokenFile = secrets.write(token, to: "discord-token")
        chmod(tokenFile, 0o600)
        let channels = "  chat:\n    platform: discord\n    url: \(server.apiRoot)\n    token: file:\(tokenFile)\n    channel: \"555\"\n"
        let (a, b) = try Self.startPair(database, channels: channels)
        let nodes = [a, b]
        defer { for node in nodes { node.kill() } }

        let image = TestImages.png(width: 96, height: 64)
        try FileManager.default.createDirectory(atPath: a.queue + "/img", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: a.queue + "/img/launch photo.png", contents: image))
        let due = ISO8601DateFormatter().string(from: Date().addingTimeInterval(8))
        let staged = a.directory.write("""
            ---
            id: photo
            at: \(due)
            channels: [chat]
            media:
              - file: img/launch photo.png
                alt: The team at the launch
            ---
            Launch day, in one picture.

            """, to: "staging/photo.md")
        #expect(rename(staged, a.queue + "/photo.md") == 0)
        try #require(eventually(timeout: 20) { (try? database.query("SELECT count(*) FROM post_media WHERE post_id = 'photo'")) == "1" },
                     "node-a stores the image with the post: \(Self.tail(nodes))")
        #expect(try database.query("SELECT length(bytes) FROM post_media WHERE post_id = 'photo'") == "\(image.count)")
        a.kill()

        try #require(eventually(timeout: 40) { !server.messages.isEmpty }, "node-b delivers it: \(Self.tail(nodes))")
        #expect(server.violations.isEmpty, "\(server.violations)")
        let message = server.messages[0]
        #expect(message.content == "Launch day, in one picture.")
        #expect(message.attachments == [DiscordFakeServer.Attachment(filename: "launch photo.png", description: "The team at the launch",
                                                                     bytes: image.count, sha256: ContentHash.of(image))],
                "the image as it was dropped, byte for byte")
        let placed = b.queue + "/.crier/cluster-media"
        #expect(eventually(timeout: 10) { ((try? FileManager.default.contentsOfDirectory(atPath: placed)) ?? []).isEmpty },
                "node-b removes its copy once the post is done: \((try? FileManager.default.contentsOfDirectory(atPath: placed)) ?? [])")

        // node-a, back, files the post with its receipt; nothing goes out again; the image leaves the database.
        try a.start()
        #expect(eventually(timeout: 30) { a.filingProblems(["photo"]).isEmpty }, "\(a.filingProblems(["photo"]))\n\(Self.tail(nodes))")
        #expect(eventually(timeout: 10) { (try? database.query("SELECT count(*) FROM post_media")) == "0" })
        Thread.sleep(forTimeInterval: 1)
        #expect(server.messages.count == 1, "sent once")
        #expect(FileManager.default.fileExists(atPath: a.queue + "/img/launch photo.png"), "the media file stays where the user put it")
    }

    @Test func aMinimumGapHoldsAcrossNodes() throws {
        let gap: TimeInterval = 2
        let database = try PostgresServer.running().createDatabase()
        defer { database.drop() }
        let sink = try WebhookSink()
        defer { sink.stop() }
        let channels = ClusterNode.channels([("alpha", sink.url)]) { _ in ["limits: { min_gap: 2s }"] }
        let (a, b) = try Self.startPair(database, channels: channels)
        let nodes = [a, b]
        defer { for node in nodes { node.kill() } }
        // Six posts due at once, three on each node: each node alone would send its own three 2 s apart.
        let onA = a.drop(count: 3, prefix: "a") { _ in ["alpha"] }
        let onB = b.drop(count: 3, prefix: "b") { _ in ["alpha"] }
        let arrived = sink.wait(timeout: 60) { $0.count >= 6 }
        #expect(arrived, "\(sink.inbox.arrivals.count) arrived\n\(Self.tail(nodes))")
        Thread.sleep(forTimeInterval: gap)
        let times = DeliveryLedger.requestTimes(sink)
        let gaps = zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }
        print("cluster min_gap 2 s over two nodes: gaps at the receiver \(gaps.map { String(format: "%.3f", $0) }.joined(separator: ", ")) s")
        let violations = DeliveryLedger.gapViolations(sink, channel: "alpha", gap: gap, slack: Self.slack)
        #expect(violations.isEmpty, "\(violations)")
        var expected: [String: [String]] = [:]
        for id in onA + onB { expected[id] = ["alpha"] }
        let problems = DeliveryLedger(["alpha": sink]).problems(expected: expected)
        #expect(problems.isEmpty, "\(problems)")
        #expect(sink.inbox.arrivals.count == 6)
        #expect(eventually(timeout: 20) { a.filingProblems(onA).isEmpty && b.filingProblems(onB).isEmpty },
                "\(a.filingProblems(onA) + b.filingProblems(onB))")
    }

    @Test func crierPauseOnOneNodeStopsTheOtherWithinASecond() throws {
        let database = try PostgresServer.running().createDatabase()
        defer { database.drop() }
        let sink = try WebhookSink()
        defer { sink.stop() }
        let channels = ClusterNode.channels([("steady", sink.url)]) { _ in ["limits: { min_gap: 100ms }"] }
        let (a, b) = try Self.startPair(database, channels: channels)
        let nodes = [a, b]
        defer { for node in nodes { node.kill() } }
        let ids = b.drop(count: 60, prefix: "tick") { _ in ["steady"] }
        #expect(sink.wait(timeout: 30) { $0.count >= 10 }, "\(Self.tail(nodes))")

        let asked = Date()
        let paused = try a.crier(["pause", "--reason", "incident on node-a"])
        let pausedAt = Date()
        #expect(paused.status == 0, "\(paused.error)")
        Thread.sleep(forTimeInterval: 3)
        let arrivals = sink.inbox.arrivals
        let last = arrivals.map(\.receivedAt).max() ?? asked
        print(String(format: "cluster pause: `crier pause` on node-a took %.2f s; the last request arrived %.2f s after it returned",
                     pausedAt.timeIntervalSince(asked), last.timeIntervalSince(pausedAt)))
        let late = arrivals.filter { $0.receivedAt > pausedAt.addingTimeInterval(1) }
        #expect(late.isEmpty, "\(late.count) requests arrived more than 1 s after `crier pause` on node-a returned")
        let whilePaused = arrivals.count
        #expect(whilePaused < ids.count, "the pause came before the end")
        let status = try b.crier(["status"])
        #expect(status.output.contains("incident on node-a"), "node-b's status shows the cluster's pause: \(status.output)")

        let resumed = try b.crier(["resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        let resumedAt = Date()
        #expect(sink.wait(timeout: 60) { $0.count >= ids.count }, "\(sink.inbox.arrivals.count) of \(ids.count)\n\(Self.tail(nodes))")
        Thread.sleep(forTimeInterval: 0.5)
        let afterResume = sink.inbox.arrivals.map(\.receivedAt).filter { $0 > resumedAt }.sorted()
        for (earlier, later) in zip(afterResume, afterResume.dropFirst()) {
            #expect(later.timeIntervalSince(earlier) >= 0.1 - Self.slack, "no burst after resume")
        }
        let problems = DeliveryLedger(["steady": sink]).problems(expected: Dictionary(uniqueKeysWithValues: ids.map { ($0, ["steady"]) }))
        #expect(problems.isEmpty, "\(problems.prefix(10))")
        #expect(sink.inbox.arrivals.count == ids.count)
    }

    /// SplitMix64 of `index` and `salt`, as a roll of 0..<100: the sinks' faults, the same every run.
    static func roll(_ index: Int, _ salt: UInt64) -> Int {
        var z = UInt64(index) &+ salt &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % 100)
    }

    /// Scaled for CI (about two minutes): three daemons, 300 posts over 20 throttled channels whose
    /// receivers refuse 20 % of requests and reset the connection after reading 10 %; a random node
    /// killed with SIGKILL every few seconds and started again; PostgreSQL stopped for 10 s once.
    /// `CRIER_CHAOS_POSTS=3000` runs it at full size (chaos for two minutes, then until all is filed).
    @Test func chaosThreeNodesKillsAndADatabaseOutageNothingLostNothingDoubledNoBurst() throws {
        let posts = max(12, ProcessInfo.processInfo.environment["CRIER_CHAOS_POSTS"].flatMap { Int($0) } ?? 300)
        let perNodeAndWave = posts / 12
        let chaosSeconds: TimeInterval = posts > 300 ? 120 : 40
        let server = try PostgresServer.running()
        let database = try server.createDatabase()
        defer { database.drop() }
        let names = (0..<20).map { String(format: "ch%02d", $0) }
        var gaps: [String: TimeInterval] = [:]
        var sinks: [String: WebhookSink] = [:]
        for (index, name) in names.enumerated() {
            gaps[name] = 0.3 + Double(index % 4) * 0.1
            let salt = UInt64(index + 1)
            sinks[name] = try WebhookSink(status: { _, count in Self.roll(count, salt) < 20 ? 500 : 200 },
                                          fault: { _, count in Self.roll(count, salt ^ 0xFACE) < 10 ? .dropAfterActing : nil })
        }
        defer { for sink in sinks.values { sink.stop() } }
        let channels = ClusterNode.channels(names.map { ($0, sinks[$0]!.url) }) { name in
            ["limits: { min_gap: \(Int(gaps[name]! * 1000))ms, max_in_flight: 1 }", "breaker: 0"]
        }
        let retry = "{ base: 200ms, max_delay: 1s, max_attempts: 30 }"
        let nodes = try (0..<3).map { try ClusterNode(name: "node-\($0)", database: database, channels: channels, lease: "4s", retry: retry) }
        defer { for node in nodes { node.kill() } }
        try Self.migrate(nodes[0])
        for node in nodes { try node.start() }

        let started = Date()
        var events: [String] = []
        func note(_ event: String) { events.append(String(format: "%5.1f s %@", Date().timeIntervalSince(started), event)) }
        var expected: [String: [String]] = [:]
        var dropped: [Int: [String]] = [:]
        func dropWave(_ wave: Int) {
            for (number, node) in nodes.enumerated() {
                let ids = node.drop(count: perNodeAndWave, prefix: "w\(wave)-n\(number)") { index in
                    let first = (wave * 3 * perNodeAndWave + number * perNodeAndWave + index) % names.count
                    return index % 10 == 0 ? [names[first], names[(first + 7) % names.count]] : [names[first]]
                }
                for (index, id) in ids.enumerated() {
                    let first = (wave * 3 * perNodeAndWave + number * perNodeAndWave + index) % names.count
                    expected[id] = index % 10 == 0 ? [names[first], names[(first + 7) % names.count]] : [names[first]]
                }
                dropped[number, default: []] += ids
            }
            note("dropped wave \(wave): \(3 * perNodeAndWave) posts")
        }

        var generator = SystemRandomNumberGenerator()
        var wave = 0
        var outage: Process?
        var nextKill = started.addingTimeInterval(Double.random(in: 3...5, using: &generator))
        var nextRevive = started
        while Date().timeIntervalSince(started) < chaosSeconds {
            let now = Date().timeIntervalSince(started)
            if wave < 4, now >= Double(wave) * 3 {
                dropWave(wave)
                wave += 1
            }
            if outage == nil, now >= 14 {
                outage = try server.pause(seconds: 10)
                note("PostgreSQL stopped for 10 s")
            }
            if Date() >= nextKill {
                let victim = nodes[Int.random(in: 0..<nodes.count, using: &generator)]
                victim.kill()
                note("kill -9 \(victim.name)")
                Thread.sleep(forTimeInterval: Double.random(in: 0.3...1.0, using: &generator))
                try victim.launch()
                note("started \(victim.name) again")
                nextKill = Date().addingTimeInterval(Double.random(in: 3...6, using: &generator))
            }
            // A node that gave up while the database was away is started again (every 2 s at most).
            if Date() >= nextRevive {
                for node in nodes where !node.isRunning {
                    try node.launch()
                    note("started \(node.name) again (it had exited)")
                }
                nextRevive = Date().addingTimeInterval(2)
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        if let outage {
            let status = outage.waitForExit(timeout: 120)
            #expect(status == 0, "scripts/postgres.sh pause 10 failed or did not end: \(status.map(String.init) ?? "still running")")
        }
        note("chaos over")
        for node in nodes {
            if !node.isRunning { try node.launch() }
            #expect(node.process?.waitForLog("crier started", timeout: 60) == true, "\(node.name) runs again: \(node.log.suffix(3000))")
        }
        let total = expected.count
        let filed = eventually(timeout: posts > 300 ? 900 : 120) { nodes.map { $0.files("sent", suffix: ".receipt.json").count }.reduce(0, +) == total }
        note("filed: \(nodes.map { $0.files("sent", suffix: ".receipt.json").count })")
        #expect(filed, "receipts \(nodes.map { $0.files("sent", suffix: ".receipt.json").count }) of \(total)\n\(events.joined(separator: "\n"))\n\(Self.tail(nodes))")
        for node in nodes { #expect(node.stop(), "\(node.name) stops on SIGTERM") }

        let ledger = DeliveryLedger(sinks)
        let problems = ledger.problems(expected: expected)
        #expect(problems.isEmpty, "\(problems.count) problems: \(problems.prefix(10))")
        var violations: [String] = []
        for name in names {
            violations += DeliveryLedger.gapViolations(sinks[name]!, channel: name, gap: gaps[name]!, slack: Self.slack)
        }
        #expect(violations.isEmpty, "\(violations.count) throttle violations: \(violations.prefix(10))")
        for (number, node) in nodes.enumerated() {
            let filing = node.filingProblems(dropped[number] ?? [])
            #expect(filing.isEmpty, "\(filing.prefix(10))")
        }
        let requests = ledger.requests.values.reduce(0, +)
        let deliveries = expected.values.map(\.count).reduce(0, +)
        let resets = sinks.values.map { $0.faulted.count }.reduce(0, +)
        print("cluster chaos: \(total) posts, \(deliveries) deliveries, \(requests) requests (\(resets) reset after reading), "
              + "\(ledger.repeats) repeats of an accepted webhook-id, \(violations.count) throttle violations, "
              + String(format: "%.0f s in all", Date().timeIntervalSince(started)))
        print(events.joined(separator: "\n"))
    }
}
