@testable import CrierCore
import Foundation
import Testing

/// `FlatYAML` reads the usual flat front matter without Yams. It must give exactly what Yams gives —
/// values, kinds and lines — and leave everything else (including every error) to Yams: compared
/// here on typical posts, on hostile lines, and on thousands of generated texts, both as YAML and as
/// whole post files (with a BOM, Windows line endings and Unicode), errors and line numbers included.
@Suite struct FlatYAMLTests {
    static func general(_ text: String, lineOffset: Int = 0) -> Result<FieldNode, FieldSyntaxError> {
        Result { () throws(FieldSyntaxError) in try FieldNode.parseYAML(text, lineOffset: lineOffset, flat: false) }
    }

    @Test(arguments: [
        "channels: [mastodon, ops]",
        "at: 2026-11-22T09:00:00+01:00\nchannels: [mastodon, ops]\ntags: [release, open source]\nlink: https://example.com/x?a=1&b=2",
        "\n\nid: launch-2026\nchannels: all\n\n",
        "at: '2026-11-22 09:00'\ncontent_warning: \"spoilers: the ending\"\nlanguage: de",
        "channels: []\ntags: [ ~, null, Null, x ]\nlong: thread\nexpire: 1h30m",
        "link: https://example.com/a:b/c[1]{2},3\ncontent_warning: Tom & Jerry's \"day\" — 🚀 café 日本語",
        "",
        "   \n \n",
        "x: ~\ny: NULL\nz: ''\nw: \"\"",
    ])
    func typicalFrontMatterIsReadDirectlyAndAsYamsReadsIt(_ text: String) throws {
        for offset in [0, 1, 7] {
            let flat = try #require(FlatYAML.parse(text, lineOffset: offset), "taken by the flat path")
            #expect(Self.general(text, lineOffset: offset) == .success(flat))
        }
    }

    /// Lines the flat path must leave to Yams (or, if it takes them, read exactly as Yams does).
    static let hostileLines = [
        "a:\tb", "a: b\t", "a: b\r", "\ta: b", " a: b", "a : b", "a:b", "a:", "a: ", "a: b: c", "a: b:", "a: b #c", "a: b#c", "# c",
        "a: #c", "a: -1", "a: - b", "a: -", "a: ? b", "a: :b", "a: &x b", "a: *x", "a: !t b", "a: !!str b", "a: |", "a: >", "a: %b",
        "a: @b", "a: `b`", "a: {b: c}", "a: {}", "a: ,b", "a: ]b", "a: }b", "a: 'b''c'", "a: 'b", "a: \"b", "a: \"b\\\"c\"",
        "a: \"b\\nc\"", "a: \"b\" c", "a: 'b' c", "a: [b, ]", "a: [b,,c]", "a: [b", "a: [b]]", "a: [[b]]", "a: [b, [c]]", "a: [b: c]",
        "a: [b:c]", "a: ['b', c]", "a: [\"b\"]", "a: [-b]", "a: [- b]", "a: [?b]", "a: [b #c]", "a: [b] c", "a: [&x b]", "a: [*x]",
        "a: [{b: c}]", "a: [,]", "a: [ , b]", "a: b\u{85}c", "a: b\u{2028}c", "a: b\u{2029}c", "a: b\u{FEFF}c", "\u{FEFF}a: b",
        "a: b\u{7F}c", "a: b\u{1}c", "a: \u{9F}b", "a: b\u{FFFE}", "a: b\\c", "- a", "-a: b", "---", "--- a", "...", "%YAML 1.1",
        "? a\n: b", "a: |\n  b", "a: >\n  b", "a: b\n  c", "a:\n  - b", "a:\n  b: c", "a: b\n a", "1a: b", "é: b", "a\u{00A0}: b",
        "a: [b]\n  c", "a: 'b'\n  c", "a: \"b\n  c\"", "a: [b,\n  c]", "\"a\": b", "'a': b", "a: !", "a: &", "a: *",
        "a: \u{00A0}b", "a: b\u{00A0}", "a: \u{3000}b",
    ]

    @Test func hostileLinesAreLeftToYamsOrReadAsYamsReadsThem() {
        for line in Self.hostileLines {
            for text in [line, "x: y\n" + line, line + "\nz: w", "x: y\n\n" + line + "\n"] {
                guard let flat = FlatYAML.parse(text, lineOffset: 3) else { continue }
                #expect(Self.general(text, lineOffset: 3) == .success(flat), "\(text.debugDescription)")
            }
        }
    }

    @Test func duplicateKeysAndIndentedLinesAreLeftToYams() {
        #expect(FlatYAML.parse("a: 1\na: 2", lineOffset: 0) == nil)
        #expect(FlatYAML.parse("a: 1\n  b: 2", lineOffset: 0) == nil)
        #expect(FlatYAML.parse("a: [1,\n 2]", lineOffset: 0) == nil)
        #expect(FlatYAML.parse("a: b # note", lineOffset: 0) == nil)
    }

    static let keys = ["channels", "at", "tags", "link", "id", "content_warning", "x", "_k", "a-b", "k9", "dup", "dup"]
    static let separators = [": ", ":  ", ":", ":\t", " : ", ": \t", "::"]
    static let values = [
        "ops", "hello world", "a  b", "2026-11-22 09:00", "2026-11-22T09:00:00+01:00", "https://example.com/a?b=c&d=e",
        "~", "null", "Null", "NULL", "nULL", "yes", "no", "true", "1.5", "0x1F", "-1", "-", "- a", "?", "? x", ":x", "a:b", "a: b",
        "a:", "a #b", "a#b", "#c", "&a x", "*a", "!tag x", "|", ">", "%x", "@x", "`x`", "{a: b}", "{}", "a]b", "a[b", "a,b", "a, b",
        "a}b", "'q'", "'q''s'", "\"q\"", "\"a\\\"b\"", "\"a\\nb\"", "\"\"", "''", "'a", "\"a", "don't", "say \"hi\"", "café", "日本語",
        "🚀 rocket", "a\u{00A0}b", "\u{00A0}lead", "trail\u{00A0}", "a\u{2028}b", "a\u{85}b", "a\u{FEFF}b", "a\u{200B}b", "a\tb", "a\rb",
        "a \\ b", "e\u{301}", "[]", "[ ]", "[a]", "[a, b]", "[a,b]", "[ a , b ]", "[open source, swift]", "[a, ]", "[a,,b]", "[a",
        "[a]]", "[[a]]", "[a: b]", "[a:b]", "[~, null, x]", "['a', b]", "[\"a\"]", "[-a]", "[a-b]", "[a?]", "[é, 🚀]", "[a] x",
        "[a b  c]", "[don't]", "[a,\n  b]", "a\n  continued", "|\n  block", "\n  - a\n  - b", "\n  y: z", "",
    ]
    /// Values the flat path takes (picked half the time, so that many whole texts are taken).
    static let cleanValues = ["ops", "hello world", "a  b", "2026-11-22 09:00", "https://example.com/a?b=c&d=e", "~", "null",
                              "'q'", "\"q\"", "''", "don't", "café 🚀", "a:b", "a]b{c},d", "[]", "[a, b]", "[ a , b ]",
                              "[~, null, x]", "[é, 🚀]", "[a b  c]", "[don't]"]
    static let trailers = ["", " ", "  ", " # c", "\t", "\r"]
    static let otherLines = ["", "  ", "# comment", "  indented: x", "- item", "---", "...", "key", "a: b: c", "\t", "? complex",
                             "%YAML 1.1", "\u{FEFF}a: b", "\r", "x: [a,", "  b]"]

    /// Deterministic texts of one to six lines built from the pieces above.
    static func generated(count: Int) -> [String] {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        return (0..<count).map { _ in
            var lines: [String] = []
            for _ in 0..<(1 + next(6)) {
                if next(5) == 0 {
                    lines.append(otherLines[next(otherLines.count)])
                } else {
                    // Mostly well-formed lines, so the flat path takes many of the texts.
                    let separator = next(3) == 0 ? separators[next(separators.count)] : ": "
                    let trailer = next(3) == 0 ? trailers[next(trailers.count)] : ""
                    let value = next(2) == 0 ? cleanValues[next(cleanValues.count)] : values[next(values.count)]
                    lines.append(keys[next(keys.count)] + separator + value + trailer)
                }
            }
            return lines.joined(separator: "\n") + (next(2) == 0 ? "\n" : "")
        }
    }

    @Test func generatedTextsReadAsYamsReadsThem() {
        var taken = 0
        let texts = Self.generated(count: 6000)
        for text in texts {
            guard let flat = FlatYAML.parse(text, lineOffset: 1) else { continue }
            taken += 1
            #expect(Self.general(text, lineOffset: 1) == .success(flat), "\(text.debugDescription)")
        }
        #expect(taken > texts.count / 10, "the flat path is exercised (\(taken) of \(texts.count))")
    }

    /// Whole post files through `PostParser`, flat path on and off: the same post and problems, or the
    /// same error (message and line), with and without a BOM and Windows line endings.
    @Test func postFilesParseTheSameWithAndWithoutTheFlatPath() {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let fast = PostParser(timeZone: zone, knownChannels: ["ops", "mastodon", "a", "b"])
        var slow = fast
        slow.readsFlatYAML = false
        var texts = Self.generated(count: 1500).map { "---\n\($0)\n---\nBody text, café 🚀.\n" }
        texts += [
            "---\nchannels: [ops, mastodon]\nat: 2026-11-22 09:00\ntags: [release]\n---\nHello\n",
            "---\nchannels: [ops, nope]\nat: tomorrow\nlong: sometimes\n---\nHello\n",
            "---\nchanels: [ops]\n---\nHello\n",
            "---\nchannels: [ops]\nid: a/../x\nlink: example com\n---\nHello\n",
            "---\nchannels: [ops]\nchannels: [a]\n---\nHello\n",
            "---\nchannels: [ops]\n---\n\n",
            "---\n\nchannels: [ops]\n\nlanguage: xx-1234567890\n---\nHello\n",
            "---\nchannels: all\nvariants: x\n---\nHello\n",
            "---\nchannels: [ops]\nmedia: [a.png]\nexpire: soon\n---\nHello\n",
            "---\nchannels: [ops]\ncard: title\n---\nHello\n",
        ]
        for text in texts {
            for variant in [text, "\u{FEFF}" + text, text.replacingOccurrences(of: "\n", with: "\r\n")] {
                let data = Data(variant.utf8)
                let a = Result { () throws(PostFileError) in try fast.parseKeepingProblems(data, fileName: "post.md") }
                let b = Result { () throws(PostFileError) in try slow.parseKeepingProblems(data, fileName: "post.md") }
                switch (a, b) {
                case (.success(let x), .success(let y)):
                    #expect(x.post == y.post && x.problems == y.problems, "\(variant.debugDescription)")
                case (.failure(let x), .failure(let y)):
                    #expect(x == y, "\(variant.debugDescription)")
                default:
                    Issue.record("one path failed, the other did not: \(variant.debugDescription)")
                }
            }
        }
    }
}
