@testable import CrierCore
import Foundation
import Testing

@Suite struct PostParserTests {
    let parser = PostParser(timeZone: TimeZone(identifier: "Europe/Berlin")!)

    func parse(_ text: String, name: String = "launch.md") throws(PostFileError) -> Post {
        try parser.parse(Data(text.utf8), fileName: name)
    }

    @Test func windowsLineEndingsParseLikeUnixOnes() throws {
        let unix = "---\nchannels: [ops]\ntags: [a]\n---\nFirst line.\n\nSecond line.\n"
        let windows = try parse(unix.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(windows.body == "First line.\n\nSecond line.")
        #expect(windows.channels == .named(["ops"]))
        #expect(windows.fieldLines["tags"] == 3)
        #expect(windows.body == (try parse(unix)).body)
    }

    @Test(arguments: ["", " ", "\n\t x \r\n", "\u{00A0}\u{2003}text with  inner  space\u{3000}\u{2029}", "é", "\u{85}a\u{85}",
                      " \u{301}accent first", "🚀 \n\n", "plain text\n", "\n\t plain text", "a", " a ", "\r\n", "a\r\n", "a\u{85}",
                      "\u{85}", "x\u{301}\n", "\u{A0}a\n", "a \u{2028}", "\u{1F680}", "\t\u{B}\u{C}a b\u{1C}"])
    func trimsLikeFoundation(text: String) {
        #expect(text.crierTrimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func frontMatterSplitsAtTheFirstClosingLineOnly() throws {
        let split = try FrontMatter.split("\u{FEFF}---  \na: 1\nb: 2\n...\nbody\n---\nmore\n")
        #expect(split == FrontMatter.Split(frontMatter: "a: 1\nb: 2", frontMatterFirstLine: 2, body: "body\n---\nmore\n"))
        #expect(try FrontMatter.split("---\n---") == FrontMatter.Split(frontMatter: "", frontMatterFirstLine: 2, body: ""))
        #expect(throws: FieldSyntaxError.self) { try FrontMatter.split("---\na: 1\n") }
        #expect(throws: FieldSyntaxError.self) { try FrontMatter.split("---") }
        #expect(throws: FieldSyntaxError.self) { try FrontMatter.split("a: 1\n---\n") }
    }

    @Test func parsesMarkdownWithEveryField() throws {
        let post = try parse("""
            ---
            at: 2026-11-22T09:00:00+01:00
            channels: [mastodon, ops]
            tags: [release, swift]
            link: https://example.com/v2
            media:
              - file: media/v2.png
                alt: Screenshot of the new dashboard
            expire: 2h
            long: thread
            variants:
              x: Shorter text just for X
            ---
            We just shipped v2. *Faster* builds.
            """)
        #expect(post.id == "launch")
        #expect(post.at == Date(timeIntervalSince1970: 1_795_334_400))
        #expect(post.channels == .named(["mastodon", "ops"]))
        #expect(post.tags == ["release", "swift"])
        #expect(post.link == "https://example.com/v2")
        #expect(post.media == [PostMedia(file: "media/v2.png", alt: "Screenshot of the new dashboard")])
        #expect(post.expire == 7200)
        #expect(post.long == .thread)
        #expect(post.variants == ["x": "Shorter text just for X"])
        #expect(post.body == "We just shipped v2. *Faster* builds.")
        #expect(post.fieldLines["channels"] == 3)
        #expect(post.body(forChannel: "x", platform: .x) == "Shorter text just for X")
        #expect(post.body(forChannel: "ops", platform: .webhook) == post.body)
    }

    @Test func parsesJSONWithTextAndID() throws {
        let post = try parse("""
            {
              "id": "custom-id",
              "channels": "all",
              "at": "2026-11-22 09:00",
              "text": "Hello from JSON"
            }
            """, name: "x.json")
        #expect(post.id == "custom-id")
        #expect(post.channels == .all)
        #expect(post.body == "Hello from JSON")
        #expect(post.at == Date(timeIntervalSince1970: 1_795_334_400), "local time in the configured zone")
        #expect(post.fieldLines["at"] == 4)
    }

    @Test func listsEveryProblemWithItsLine() {
        #expect {
            try parse("""
                ---
                at: tomorrow
                chanels: [ops]
                long: sometimes
                ---
                text
                """)
        } throws: { error in
            let problems = (error as! PostFileError).problems
            return problems.contains { $0.line == 2 && $0.field == "at" && $0.message.contains("ISO 8601") }
                && problems.contains { $0.line == 3 && $0.field == "chanels" && $0.message.contains("did you mean 'channels'") }
                && problems.contains { $0.line == 4 && $0.field == "long" && $0.message.contains("thread | truncate | reject") }
        }
    }

    @Test(arguments: [
        ("no front matter", "just text", "no front matter"),
        ("unclosed", "---\nchannels: [a]\ntext", "never closed"),
        ("bad yaml", "---\nchannels: [a\n---\ntext", "not valid YAML"),
        ("empty body", "---\nchannels: [a]\n---\n\n", "no text"),
        ("media escapes", "---\nchannels: [a]\nmedia: [../etc/passwd]\n---\nx", "leaves the queue"),
        ("absolute media", "---\nchannels: [a]\nmedia: [/etc/passwd]\n---\nx", "absolute"),
        ("duplicate key", "---\nchannels: [a]\nchannels: [b]\n---\nx", "duplicated key"),
        ("bad link", "---\nchannels: [a]\nlink: example com\n---\nx", "not a web address"),
        ("bad id", "---\nid: a/../x\nchannels: [a]\n---\nx", "may contain only"),
    ])
    func rejectsWithReason(_ name: String, _ text: String, _ expected: String) {
        #expect {
            try parse(text)
        } throws: { error in
            (error as! PostFileError).description.contains(expected)
        }
    }

    @Test func rejectsInvalidUTF8NamingTheLine() {
        var data = Data("---\nchannels: [a]\n---\nline4\n".utf8)
        data.append(contentsOf: [0xFF, 0xFE])
        #expect {
            try parser.parse(data, fileName: "bad.md")
        } throws: { error in
            let problem = (error as! PostFileError).problems.first!
            return problem.line == 5 && problem.message.contains("UTF-8")
        }
    }

    @Test func rejectsFilesOverOneMebibyte() {
        let data = Data(count: PostParser.maximumFileSize + 1)
        #expect(throws: PostFileError.self) { try parser.parse(data, fileName: "big.md") }
    }

    @Test func jsonSyntaxErrorsNameALine() {
        #expect {
            try parse("{\n  \"channels\": [\"a\"],\n  \"text\": \"x\",,\n}", name: "bad.json")
        } throws: { error in
            (error as! PostFileError).description.contains("not valid JSON")
        }
    }

    @Test func jsonSyntaxErrorsPointAtTheLineFoundationNamesByCharacter() {
        #expect {
            try parse("{\n  \"channels\": [\"a\"]\n  \"text\": \"x\"\n}\n", name: "comma.json")
        } throws: { error in
            let problem = (error as! PostFileError).problems.first!
            return problem.line == 3 && problem.message.contains("not valid JSON")
        }
        #expect(FieldNode.lineNumber(inMessage: "Invalid value around character 4.", of: Data("{\n\n\n x".utf8)) == 4)
        #expect(FieldNode.lineNumber(inMessage: "Badly formed object on line 7.", of: Data()) == 7)
    }

    @Test func aJSONPostWithoutTextNamesALine() {
        #expect {
            try parse("{\n  \"channels\": [\"a\"]\n}\n", name: "empty.json")
        } throws: { error in
            (error as! PostFileError).problems.contains { $0.field == "text" && $0.line == 1 }
        }
        #expect {
            try parse("{\n  \"channels\": [\"a\"],\n  \"text\": \"  \"\n}\n", name: "blank.json")
        } throws: { error in
            (error as! PostFileError).problems.contains { $0.field == "text" && $0.line == 3 }
        }
    }

    @Test(arguments: [
        // An unclosed quote is noticed at the end of the front matter; it is wrong where it opens.
        ("---\nat: \"2026\nchannels: [a]\n---\nx", 2),
        // An unclosed `[` likewise.
        ("---\nchannels: [a\ntags: x\n---\nx", 2),
        // A key out of line in a block mapping is wrong where it is noticed, not where the mapping starts.
        ("---\nchannels: [a]\nvariants:\n  a: x\n b: y\n---\nx", 5),
    ])
    func yamlErrorsPointAtTheLineToFix(_ text: String, _ line: Int) {
        #expect {
            try parse(text)
        } throws: { error in
            let problem = (error as! PostFileError).problems.first!
            return problem.line == line && problem.message.contains("not valid YAML")
        }
    }

    @Test func problemsAreSortedByLine() {
        #expect {
            try parse("---\nlong: sometimes\nat: never\nchannels: [a, a]\nexpire: soon\n---\nx")
        } throws: { error in
            (error as! PostFileError).problems.map(\.line) == [2, 3, 4, 5]
        }
    }

    @Test func aLocalTimeHintNamesUTCNotGMT() {
        let utc = PostParser(timeZone: TimeZone(identifier: "UTC")!)
        #expect {
            try utc.parse(Data("---\nat: never\nchannels: [a]\n---\nx".utf8), fileName: "t.md")
        } throws: { error in
            let text = (error as! PostFileError).description
            return text.contains("for UTC time") && !text.contains("GMT")
        }
        #expect(TimeZoneName.of(TimeZone(identifier: "UTC")!) == "UTC")
        #expect(TimeZoneName.of(TimeZone(identifier: "Europe/Berlin")!) == "Europe/Berlin")
    }

    @Test func keepsTheLineOfEachMediaEntry() throws {
        let post = try parse("---\nchannels: [a]\nmedia:\n  - file: one.png\n    alt: One\n  - file: two.png\n---\nx")
        #expect(post.fieldLines["media"] == 3)
        #expect(post.fieldLines["media[1]"] == 4)
        #expect(post.fieldLines["media[2]"] == 6)
    }

    @Test func aPostWithFieldProblemsStillYieldsItsFieldsForFurtherChecks() throws {
        let (post, problems) = try parser.parseKeepingProblems(
            Data("---\nat: never\nchannels: [a]\nmedia: [pic.png]\n---\nx".utf8), fileName: "p.md")
        #expect(problems.map(\.field) == ["at"])
        #expect(post.media.map(\.file) == ["pic.png"])
    }

    @Test func errorDescriptionNamesFileAndLine() {
        let error = PostFileError(file: "launch.md", problems: [FieldProblem(line: 4, field: "at", message: "bad")])
        #expect(error.description == "launch.md:4: at: bad")
    }

    @Test func queueNamesToIgnore() {
        #expect(QueueFileName.isPostCandidate("a.md"))
        #expect(QueueFileName.isPostCandidate("a.markdown"))
        #expect(QueueFileName.isPostCandidate("a.json"))
        #expect(!QueueFileName.isPostCandidate(".a.md"))
        #expect(!QueueFileName.isPostCandidate("a.md.tmp"))
        #expect(!QueueFileName.isPostCandidate("a.md~"))
        #expect(!QueueFileName.isPostCandidate("a.txt"))
    }
}
