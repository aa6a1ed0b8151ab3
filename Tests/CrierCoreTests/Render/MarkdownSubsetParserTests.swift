import Testing
@testable import CrierCore

struct MarkdownSubsetParserTests {
    func runs(_ markdown: String) -> [MarkdownRun] {
        guard case .paragraph(let runs)? = MarkdownSubsetParser.parse(markdown).blocks.first else { return [] }
        return runs
    }

    @Test func paragraphsAndLineBreaks() {
        let doc = MarkdownSubsetParser.parse("one\ntwo  \n\n\nthree")
        #expect(doc.blocks == [
            .paragraph([MarkdownRun(.text, "one"), .lineBreak, MarkdownRun(.text, "two")]),
            .paragraph([MarkdownRun(.text, "three")]),
        ])
    }

    @Test func emphasis() {
        #expect(runs("a *b* _c_ **d** ***e***") == [
            MarkdownRun(.text, "a "), MarkdownRun(.text, "b", style: .italic), MarkdownRun(.text, " "),
            MarkdownRun(.text, "c", style: .italic), MarkdownRun(.text, " "), MarkdownRun(.text, "d", style: .bold),
            MarkdownRun(.text, " "), MarkdownRun(.text, "e", style: [.bold, .italic]),
        ])
        #expect(runs("**bold *both***") == [
            MarkdownRun(.text, "bold ", style: .bold), MarkdownRun(.text, "both", style: [.bold, .italic]),
        ])
    }

    @Test func whatIsNotEmphasis() {
        #expect(runs("snake_case_name") == [MarkdownRun(.text, "snake_case_name")])
        #expect(runs("2 * 3 * 4") == [MarkdownRun(.text, "2 * 3 * 4")])
        #expect(runs("\\*not\\*") == [MarkdownRun(.text, "*not*")])
        #expect(runs("*open") == [MarkdownRun(.text, "*open")])
    }

    @Test func underscoresInsideURLsStayInTheURL() {
        #expect(runs("_see https://x.com/a_b_c_ now") == [MarkdownRun(.text, "_see "),
            MarkdownRun(.url(hasScheme: true), "https://x.com/a_b_c_"), MarkdownRun(.text, " now")])
        #expect(runs("*x* example.com/a_b_") == [MarkdownRun(.text, "x", style: .italic), MarkdownRun(.text, " "),
            MarkdownRun(.url(hasScheme: false), "example.com/a_b_")])
    }

    @Test func links() {
        #expect(runs("[notes](https://e.com/n) and [**big** one](<https://e.com/a b>)") == [
            MarkdownRun(.link("https://e.com/n"), "notes"), MarkdownRun(.text, " and "),
            MarkdownRun(.link("https://e.com/a b"), "big", style: .bold), MarkdownRun(.link("https://e.com/a b"), " one"),
        ])
        #expect(runs("[wiki](https://en.wikipedia.org/wiki/Foo_(bar) \"title\")") == [
            MarkdownRun(.link("https://en.wikipedia.org/wiki/Foo_(bar)"), "wiki"),
        ])
        #expect(runs("[not a link] (x)") == [MarkdownRun(.text, "[not a link] (x)")])
    }

    @Test func codeSpans() {
        #expect(runs("run `swift build -c *release*` now") == [
            MarkdownRun(.text, "run "), MarkdownRun(.text, "swift build -c *release*", style: .code),
            MarkdownRun(.text, " now"),
        ])
        #expect(runs("``a ` b``") == [MarkdownRun(.text, "a ` b", style: .code)])
    }

    @Test func lists() {
        let doc = MarkdownSubsetParser.parse("Intro\n\n- one\n* two\n  more\n\n3. three\n4) four\n\nEnd")
        #expect(doc.blocks == [
            .paragraph([MarkdownRun(.text, "Intro")]),
            .list(ordered: false, start: 1, items: [[MarkdownRun(.text, "one")],
                                                    [MarkdownRun(.text, "two"), .lineBreak, MarkdownRun(.text, "more")]]),
            .list(ordered: true, start: 3, items: [[MarkdownRun(.text, "three")], [MarkdownRun(.text, "four")]]),
            .paragraph([MarkdownRun(.text, "End")]),
        ])
    }

    @Test func emptyAndCRLF() {
        #expect(MarkdownSubsetParser.parse("").isEmpty)
        #expect(MarkdownSubsetParser.parse("a\r\nb").blocks == [.paragraph([MarkdownRun(.text, "a"), .lineBreak,
                                                                              MarkdownRun(.text, "b")])])
    }
}
