import CrierCore
import Foundation
import Testing

/// Input that used to be mishandled: NUL bytes, text only in variants, file names that are not ids.
@Suite struct BadInputTests {
    let parser = PostParser(timeZone: TimeZone(identifier: "UTC")!)

    @Test func aNulByteIsRefusedWithItsLine() {
        let data = Data("---\nchannels: [ops]\n---\nfirst line\nsecond\0line\n".utf8)
        #expect(throws: PostFileError(file: "nul.md", line: 5, message: "the line holds a NUL character (byte 0), which no platform accepts; remove it")) {
            try parser.parse(data, fileName: "nul.md")
        }
    }

    /// An escaped NUL becomes one once parsed: refused with the line of the value, in YAML and JSON.
    @Test(arguments: [
        ("nul.md", "---\nchannels: [ops]\nvariants:\n  ops: \"before\\0after\"\n---\nBody\n", 4),
        ("nul.md", "---\nchannels: [ops]\ntitle: \"a\\x00b\"\n---\nBody\n", 3),
        ("nul.json", "{\n  \"channels\": [\"ops\"],\n  \"text\": \"before\\u0000after\"\n}\n", 3),
    ])
    func anEscapedNulIsRefusedWithItsLine(name: String, text: String, line: Int) {
        #expect(throws: PostFileError(file: name, line: line,
                                      message: "a value holds an escaped NUL character (\\0 or \\u0000), which no platform accepts; remove it")) {
            try parser.parse(Data(text.utf8), fileName: name)
        }
    }

    @Test func aPostWhoseTextIsOnlyInVariantsIsAccepted() throws {
        let post = try parser.parse(Data("---\nchannels: [ops, team]\nvariants:\n  ops: For ops.\n  team: For the team.\n---\n".utf8),
                                    fileName: "variants.md")
        #expect(post.body.isEmpty)
        for name in ["ops", "team"] {
            let channel = ChannelConfig(name: name, platform: .webhook, url: "http://127.0.0.1:9/")
            #expect(PartsPlanner.variant(for: post, channel: channel, defaults: PostDefaults()).errors.isEmpty)
        }
        let other = ChannelConfig(name: "other", platform: .webhook, url: "http://127.0.0.1:9/")
        #expect(PartsPlanner.variant(for: post, channel: other, defaults: PostDefaults()).errors
                == ["nothing to send to other: the post has no text, link or media"],
                "a channel left without text fails alone")
        #expect(throws: PostFileError.self, "no body and no variants is still no text") {
            try parser.parse(Data("---\nchannels: [ops]\n---\n".utf8), fileName: "empty.md")
        }
    }

    @Test(arguments: [
        ("Launch day ünïcödé ✓.md", "launch-day-unicode"),
        ("release-notes.md", "release-notes"),
        ("Q4 Report (final).md", "q4-report-final"),
        ("ÉTÉ 2026.markdown", "ete-2026"),
    ])
    func aFileNameThatIsNotAnIdGivesASlug(_ name: String, _ id: String) throws {
        let post = try parser.parse(Data("---\nchannels: [ops]\n---\nHello.\n".utf8), fileName: name)
        #expect(post.id == id)
        #expect(post.file == name, "the file keeps its name")
    }

    @Test func aFileNameWithNothingUsableAsksForAnID() throws {
        #expect(throws: PostFileError.self) { try parser.parse(Data("---\nchannels: [ops]\n---\nHello.\n".utf8), fileName: "✓✓✓.md") }
        #expect(try parser.parse(Data("---\nid: checks\nchannels: [ops]\n---\nHello.\n".utf8), fileName: "✓✓✓.md").id == "checks")
    }
}
