import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Logging
import Testing

/// The daemon's media edge on real files: paths checked as at intake, types read from the bytes,
/// and per-platform limits reported per channel by the intake and the preview.
@Suite struct QueueMediaSourceTests {
    /// A PNG header (IHDR with `width`×`height`), padded with zeros to `size` bytes (sparse on disk).
    static func writePNG(_ directory: TemporaryDirectory, _ relative: String, width: Int, height: Int, size: Int) throws {
        let be32 = { (value: Int) in [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        let header: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8)
            + be32(width) + be32(height) + [8, 6, 0, 0, 0]
        try writeFile(directory, relative, bytes: header, size: size)
    }

    static func writeFile(_ directory: TemporaryDirectory, _ relative: String, bytes: [UInt8], size: Int) throws {
        let path = directory.write("", to: relative)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(bytes))
        try handle.truncate(atOffset: UInt64(max(size, bytes.count)))
        try handle.close()
    }

    @Test func describesFilesFromTheirBytes() throws {
        let directory = TemporaryDirectory()
        try Self.writePNG(directory, "queue/media/chart.jpg", width: 1200, height: 675, size: 4_096)
        let source = QueueMediaSource(root: directory.path + "/queue")
        let post = Post(id: "p", file: "p.md", channels: .all, media: [PostMedia(file: "media/chart.jpg", alt: " A chart ")], body: "")
        let items = try source.items(of: post, publicBaseURL: "https://cdn.example.com/crier/")
        #expect(items == [MediaItem(file: "media/chart.jpg", alt: "A chart", byteCount: 4_096, mimeType: "image/png",
                                    width: 1200, height: 675, publicURL: "https://cdn.example.com/crier/media/chart.jpg")],
                "the name says JPEG, the bytes say PNG")
        #expect(try source.bytes(of: items[0]).count == 4_096)
        #expect(try source.items(of: post, publicBaseURL: nil).first?.publicURL == nil)
    }

    @Test func refusesWhatTheIntakeRefuses() throws {
        let directory = TemporaryDirectory()
        directory.write("secret", to: "outside.txt")
        directory.write("x", to: "queue/media/real.png")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/queue/media/link.png", withDestinationPath: directory.path + "/outside.txt")
        try FileManager.default.createDirectory(atPath: directory.path + "/queue/media/folder", withIntermediateDirectories: true)
        let source = QueueMediaSource(root: directory.path + "/queue")
        func problem(_ file: String) -> String {
            do {
                _ = try source.item(PostMedia(file: file), publicBaseURL: nil)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(problem("media/link.png").contains("symbolic link"))
        #expect(problem("media/missing.png").contains("does not exist in the queue directory"))
        #expect(problem("../outside.txt").contains("leaves the queue directory"))
        #expect(problem("/etc/passwd").contains("is absolute"))
        #expect(problem("media/folder").contains("not a regular file"))
        #expect(problem("media/real.png") == "accepted")
        #expect(try source.item(PostMedia(file: "media/real.png"), publicBaseURL: nil).mimeType == MediaSniffer.unknownType)
    }

    static func intakeEvents(_ directory: TemporaryDirectory, config: CrierConfig) -> [IntakeEvent] {
        let events = Recorded<IntakeEvent>()
        let queue = DispatchQueue(label: "test.intake")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var settled = config
        settled.delivery.settleTime = 0
        let intake = QueueIntake(layout: QueueLayout(root: directory.path + "/queue"), queue: queue, config: settled, logger: logger) {
            for event in $0 { events.append(event) }
        }
        queue.sync { intake.rescan() }
        return events.all
    }

    static func config(withMastodon: Bool) throws -> CrierConfig {
        var config = try #require(ConfigParser.parse("""
            timezone: UTC
            channels:
              ops: { platform: webhook, url: "http://127.0.0.1:9/ops" }
            """).config)
        // Mastodon delivery is not in this build, so crier.yml cannot name it yet; the engine and the
        // preview plan it all the same.
        if withMastodon { config.channels.append(ChannelConfig(name: "fosstodon", platform: .mastodon, url: "https://fosstodon.org")) }
        return config
    }

    @Test func theIntakeReadsMediaOnlyForChannelsWithLimits() throws {
        let directory = TemporaryDirectory()
        try Self.writePNG(directory, "queue/media/big.png", width: 800, height: 600, size: 17_000_000)
        directory.write("---\nchannels: [ops, fosstodon]\nmedia:\n  - file: media/big.png\n    alt: A chart\n---\nNumbers.\n", to: "queue/both.md")
        directory.write("---\nchannels: [ops]\nmedia:\n  - file: media/big.png\n    alt: A chart\n---\nNumbers.\n", to: "queue/hook.md")

        var posts: [String: Post] = [:]
        for event in Self.intakeEvents(directory, config: try Self.config(withMastodon: true)) {
            if case .post(let parsed) = event { posts[parsed.name] = parsed.post }
            if case .invalid(let name, let error) = event { Issue.record("\(name) rejected: \(error)") }
        }
        #expect(posts["both.md"]?.mediaItems == [MediaItem(file: "media/big.png", alt: "A chart", byteCount: 17_000_000,
                                                           mimeType: "image/png", width: 800, height: 600)])
        #expect(posts["hook.md"]?.mediaItems == nil, "a webhook-only post never reads its media")
        #expect(posts.count == 2, "an oversized file fails a channel, not the post")
    }

    @Test func theIntakeStillListsEveryPathProblem() throws {
        let directory = TemporaryDirectory()
        directory.write("---\nchannels: [fosstodon]\nmedia:\n  - file: media/a.png\n    alt: A\n  - file: media/b.png\n    alt: B\n---\nText.\n",
                        to: "queue/missing.md")
        let events = Self.intakeEvents(directory, config: try Self.config(withMastodon: true))
        let rejected = events.compactMap { event -> PostFileError? in
            if case .invalid(_, let error) = event { return error }
            return nil
        }
        #expect(rejected.first?.problems.map(\.field) == ["media[1].file", "media[2].file"])
        #expect(rejected.first?.problems.first?.message == "'media/a.png' does not exist in the queue directory; put the file there first")
    }

    /// `crier preview` is the intake and the engine on the queue: an oversized image and a file that
    /// is no image at all fail the Mastodon channel with the reason; the webhook channel is planned.
    @Test func thePreviewShowsMediaLimitErrorsPerChannel() throws {
        let directory = TemporaryDirectory(prefix: "crier-media")
        try Self.writePNG(directory, "queue/media/big.png", width: 800, height: 600, size: 17_000_000)
        try Self.writeFile(directory, "queue/media/notes.png", bytes: Array("%PDF-1.7\n".utf8), size: 2_000)
        directory.write("---\nchannels: [ops, fosstodon]\nmedia:\n  - file: media/big.png\n    alt: A chart\n---\nNumbers.\n",
                        to: "queue/big.md")
        directory.write("---\nchannels: [ops, fosstodon]\nmedia:\n  - file: media/notes.png\n    alt: Notes\n---\nNotes.\n",
                        to: "queue/notes.md")
        let now = Date(timeIntervalSince1970: 1_795_334_400)
        let report = try PreviewPlanner(config: try Self.config(withMastodon: true), layout: QueueLayout(root: directory.path + "/queue"))
            .plan(paths: [], now: now)
        let big = try #require(report.posts.first { $0.id == "big" })
        let notes = try #require(report.posts.first { $0.id == "notes" })
        for post in [big, notes] {
            #expect(post.errors.isEmpty, "the post itself is accepted")
            let ops = try #require(post.deliveries.first { $0.channel == "ops" })
            #expect(ops.errors.isEmpty && ops.at != nil, "the webhook channel is planned")
        }
        let bigMastodon = try #require(big.deliveries.first { $0.channel == "fosstodon" })
        #expect(bigMastodon.at == nil)
        // Its header says PNG, so crier would make it fit (smaller); the rest of the file is zeros,
        // which libvips cannot decode.
        #expect(bigMastodon.errors.first?.hasPrefix("media/big.png cannot be decoded (") == true, "\(bigMastodon.errors)")
        let notesMastodon = try #require(notes.deliveries.first { $0.channel == "fosstodon" })
        #expect(notesMastodon.errors.first?.hasPrefix("media/notes.png is not an image or video crier recognises") == true)
        #expect(report.hasErrors, "crier preview exits 1")
    }
}
