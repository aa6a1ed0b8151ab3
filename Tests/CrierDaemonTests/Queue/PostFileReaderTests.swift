import CrierCore
@testable import CrierDaemon
import CrierTestSupport
import Foundation
import Testing

@Suite struct PostFileReaderTests {
    static let config = """
        timezone: UTC
        channels:
          ops: { platform: webhook, url: "http://127.0.0.1:9/ops" }
          short: { platform: webhook, url: "http://127.0.0.1:9/short", limit: 100 }
        """

    /// A field problem does not hide a missing media file: both are listed, each at its line.
    @Test func listsFieldAndMediaProblemsTogetherEachAtItsLine() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse(Self.config).config)
        let text = "---\nat: never\nchannels: [ops]\nmedia:\n  - file: media/a.png\n    alt: A\n  - file: media/b.png\n    alt: B\n---\nx\n"
        #expect {
            try PostFileReader.read(Data(text.utf8), name: "p.md", config: config, root: directory.path)
        } throws: { error in
            let problems = (error as! PostFileError).problems.map { "\($0.line ?? 0) \($0.field)" }
            return problems == ["2 at", "5 media[1].file", "7 media[2].file"]
        }
    }

    @Test func anUnknownChannelDoesNotHideAMediaProblem() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse(Self.config).config)
        let text = "---\nchannels: [ops, nope]\nmedia: [media/gone.png]\n---\nx\n"
        #expect {
            try PostFileReader.read(Data(text.utf8), name: "p.md", config: config, root: directory.path)
        } throws: { error in
            (error as! PostFileError).problems.map(\.field) == ["channels", "media[1].file"]
        }
    }

    /// What the preview calls an error on a channel (407/100 under `long: reject`) is what enqueue
    /// refuses: the same renderer decides.
    @Test func unsendableIsWhatThePreviewCallsAnError() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse(Self.config).config)
        let body = String(repeating: "word ", count: 81).trimmingCharacters(in: .whitespaces)
        directory.write("---\nchannels: [ops, short]\nlong: reject\n---\n\(body)\n", to: "queue/long.md")
        let (post, channels) = try PostFileReader.read(Data("---\nchannels: [ops, short]\nlong: reject\n---\n\(body)\n".utf8),
                                                       name: "long.md", config: config, root: directory.path + "/queue")
        let refused = PostFileReader.unsendable(post, channels: channels, config: config)
        #expect(refused.count == 1)
        #expect(refused.first?.hasPrefix("short: too long for short (webhook): 404/100 (long: reject)") == true, "\(refused)")

        let report = try PreviewPlanner(config: config, layout: QueueLayout(root: directory.path + "/queue"))
            .plan(paths: [], now: Date(timeIntervalSince1970: 1_795_334_400))
        let previewErrors = report.posts.flatMap { post in post.deliveries.flatMap { d in d.errors.map { "\(d.channel): \($0)" } } }
        #expect(previewErrors == refused)
    }

    @Test func enqueueRefusesAPostThePreviewReportsAsAnError() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse(Self.config).config)
        let body = String(repeating: "word ", count: 81)
        let draft = directory.write("---\nchannels: [ops, short]\nlong: reject\n---\n\(body)\n", to: "draft.md")
        let enqueuer = PostEnqueuer(config: config, layout: QueueLayout(root: directory.path + "/queue"))
        #expect {
            try enqueuer.enqueue(.file(draft))
        } throws: { error in
            guard case .unsendable(_, let problems) = error as! EnqueueFailure else { return false }
            return problems.count == 1 && problems[0].contains("long: reject")
        }
        #expect(directory.files(in: "queue").isEmpty, "nothing was written into the queue")
        #expect(try enqueuer.enqueue(.file(draft), channels: "ops") == "draft", "without the short channel it goes")
    }

    @Test func enqueueSaysWhyAFileCannotBeRead() throws {
        let directory = TemporaryDirectory()
        let config = try #require(ConfigParser.parse(Self.config).config)
        let enqueuer = PostEnqueuer(config: config, layout: QueueLayout(root: directory.path + "/queue"))
        #expect {
            try enqueuer.enqueue(.file(directory.path + "/none.md"))
        } throws: { error in
            (error as! EnqueueFailure).description == "cannot read \(directory.path)/none.md: no such file"
        }
        try FileManager.default.createDirectory(atPath: directory.path + "/folder.md", withIntermediateDirectories: true)
        #expect {
            try enqueuer.enqueue(.file(directory.path + "/folder.md"))
        } throws: { error in
            (error as! EnqueueFailure).description.hasSuffix("folder.md: not a regular file")
        }
    }
}
