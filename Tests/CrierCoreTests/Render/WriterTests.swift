import Testing
@testable import CrierCore

struct WriterTests {
    static let sample = """
    We shipped *v2* & **fast** <builds>: [notes](https://e.com/n?a=1&b=2), see https://e.com/x_(y) #swift

    - one `code <x>`
    - [e.com](https://e.com)
    """

    func doc(_ s: String = sample) -> MarkdownDocument { MarkdownSubsetParser.parse(s) }

    @Test func plainText() {
        #expect(PlainTextWriter.write(doc()) == """
        We shipped v2 & fast <builds>: notes https://e.com/n?a=1&b=2, see https://e.com/x_(y) #swift

        • one code <x>
        • https://e.com
        """)
        #expect(PlainTextWriter.write(doc("1. a\n2. b")) == "1. a\n2. b")
    }

    @Test func slackEscapesAndLinks() {
        #expect(SlackWriter.write(doc()) == """
        We shipped _v2_ &amp; *fast* &lt;builds&gt;: <https://e.com/n?a=1&amp;b=2|notes>, see <https://e.com/x_(y)> #swift

        • one `code &lt;x&gt;`
        • <https://e.com|e.com>
        """)
        #expect(SlackWriter.inline([MarkdownRun(.text, "bold ", style: .bold), MarkdownRun(.text, "x")]) == "*bold* x")
    }

    @Test func telegramHTML() {
        #expect(TelegramHTMLWriter.write(doc()) == """
        We shipped <i>v2</i> &amp; <b>fast</b> &lt;builds&gt;: <a href="https://e.com/n?a=1&amp;b=2">notes</a>, \
        see https://e.com/x_(y) #swift

        • one <code>code &lt;x&gt;</code>
        • <a href="https://e.com">e.com</a>
        """)
        #expect(TelegramHTMLWriter.write(doc("[q](https://e.com/?q=\"x\")")) == "<a href=\"https://e.com/?q=&quot;x&quot;\">q</a>")
        #expect(TelegramHTMLWriter.tail(hashtags: ["a"], link: "https://e.com/?a&b") == "#a\nhttps://e.com/?a&amp;b")
    }

    @Test func discordMarkdown() {
        #expect(DiscordWriter.write(doc()) == """
        We shipped *v2* & **fast** <builds>: [notes](https://e.com/n?a=1&b=2), see https://e.com/x_(y) #swift

        - one `code <x>`
        - https://e.com
        """)
        #expect(DiscordWriter.write(doc("a \\*b\\* under\\_score ~x~ |y| \\[z\\]")) == "a \\*b\\* under\\_score \\~x\\~ \\|y\\| \\[z\\]")
        #expect(DiscordWriter.write(doc("\\# not a heading\n\\> not a quote")) == "\\# not a heading\n\\> not a quote")
        #expect(DiscordWriter.write(doc("[w](https://e.com/a_(b))")) == "[w](https://e.com/a_%28b%29)")
    }

    @Test func matrixBodyAndHTML() {
        let (body, html) = MatrixWriter.write(doc())
        #expect(body == PlainTextWriter.write(doc()))
        #expect(html == """
        <p>We shipped <em>v2</em> &amp; <strong>fast</strong> &lt;builds&gt;: \
        <a href="https://e.com/n?a=1&amp;b=2">notes</a>, see <a href="https://e.com/x_(y)">https://e.com/x_(y)</a> #swift</p>\
        <ul><li>one <code>code &lt;x&gt;</code></li><li><a href="https://e.com">e.com</a></li></ul>
        """)
        #expect(MatrixWriter.write(doc("a\nb\n\n3. c")).html == "<p>a<br>b</p><ol start=\"3\"><li>c</li></ol>")
    }

    @Test func linkedInLittleEscapesEveryReservedCharacter() {
        #expect(LinkedInLittleWriter.escape("a|b{c}d@e[f]g(h)i<j>k#l*m_n~o\\p") ==
                "a\\|b\\{c\\}d\\@e\\[f\\]g\\(h\\)i\\<j\\>k\\#l\\*m\\_n\\~o\\\\p")
        #expect(LinkedInLittleWriter.write(doc()) == """
        We shipped v2 & fast \\<builds\\>: notes https://e.com/n?a=1&b=2, see https://e.com/x\\_\\(y\\) {hashtag|\\#|swift}

        • one code \\<x\\>
        • https://e.com
        """)
        #expect(LinkedInLittleWriter.tail(hashtags: ["openSource", "swift"], link: "https://e.com/a_b") ==
                "{hashtag|\\#|openSource} {hashtag|\\#|swift}\nhttps://e.com/a\\_b")
        #expect(LinkedInLittleWriter.write(doc("mail @bob (C# fan)")) == "mail \\@bob \\(C\\# fan\\)")
    }
}
