import Testing
@testable import CrierCore

struct ThreadSplitterTests {
    /// A small deterministic generator (no randomness in the code under test, reproducible here).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let words = ["the", "release", "Swift", "日本語", "👨‍👩‍👧‍👦", "🇩🇪", "naïve", "שלום", "x", "builds.",
                        "faster!", "é", "really?", "#swift", "@alice", "@bob@mastodon.social", "@carol.bsky.social",
                        "example.com/path_(x)", "https://example.com/" + String(repeating: "long", count: 20),
                        "https://bücher.de/x", "(https://e.com/a).", "supercalifragilisticexpialidocious"]

    static func post(_ g: inout Generator) -> String {
        var paragraphs: [String] = []
        for _ in 0..<(1 + g.next(6)) {
            var words: [String] = []
            for _ in 0..<(1 + g.next(60)) { words.append(Self.words[g.next(Self.words.count)]) }
            paragraphs.append(words.joined(separator: g.next(8) == 0 ? "\n" : " "))
        }
        return paragraphs.joined(separator: "\n\n")
    }

    @Test("every part fits, no URL, mention or hashtag is cut, no word is lost",
          arguments: [Platform.x, .mastodon, .bluesky, .threads])
    func propertySplit(_ platform: Platform) throws {
        let rules = PlatformDescriptor.of(platform).rules
        var g = Generator(state: UInt64(platform.tableIndex) + 7)
        for round in 0..<150 {
            let body = Self.post(&g)
            let limit = [rules.limit ?? 500, 200, 120][round % 3]
            let number = round % 2 == 0
            let tail = round % 4 == 0 ? "#release\nhttps://example.com/v2" : ""
            let parts = try ThreadSplitter.split(body: body, tail: tail, limit: limit, rules: rules, number: number)
            for part in parts {
                #expect(TextLength.count(part, rules: rules) <= limit, "\(platform) part over \(limit): \(part)")
                if let maxBytes = rules.maxBytes { #expect(part.utf8.count <= maxBytes) }
            }
            // No entity is cut: every URL/mention/hashtag of the input appears whole in some part.
            let joined = parts.joined(separator: "\n")
            for url in URLDetector.urls(in: body) { #expect(joined.contains(url), "cut URL \(url)") }
            for tag in Hashtag.tags(in: body) { #expect(joined.contains("#" + tag)) }
            // Words survive in order (numbering and the tail aside).
            var expected = body.split(whereSeparator: \.isWhitespace)
            if !tail.isEmpty { expected += tail.split(whereSeparator: \.isWhitespace) }
            var got = parts.flatMap { part -> [Substring] in
                var w = part.split(whereSeparator: \.isWhitespace)
                if number && parts.count > 1 { w.removeLast() }
                return w
            }
            // A word cut between characters (only `supercalifragilistic…` can be) is glued back.
            if got.count != expected.count { got = Self.glue(got, like: expected) }
            #expect(got == expected)
            if !tail.isEmpty { #expect(parts.last!.contains("https://example.com/v2")) }
            if number && parts.count > 1 {
                for (i, part) in parts.enumerated() { #expect(part.hasSuffix(" \(i + 1)/\(parts.count)")) }
            }
        }
    }

    static func glue(_ pieces: [Substring], like expected: [Substring]) -> [Substring] {
        var out: [Substring] = []
        var i = 0
        for word in expected {
            var acc = ""
            while i < pieces.count && acc.count < word.count { acc += pieces[i]; i += 1 }
            out.append(Substring(acc))
        }
        return out
    }

    @Test func prefersParagraphsThenSentences() throws {
        let rules = PlatformDescriptor.of(.x).rules
        let body = "First paragraph is short.\n\n" + String(repeating: "Sentence number one is here. ", count: 12)
        let parts = try ThreadSplitter.split(body: body, tail: "", limit: 280, rules: rules, number: false)
        #expect(parts[0] == "First paragraph is short.")
        #expect(parts.dropFirst().allSatisfy { $0.hasSuffix("here.") })
    }

    @Test func linkGoesWholeOnTheLastPart() throws {
        let rules = PlatformDescriptor.of(.bluesky).rules
        let body = String(repeating: "word ", count: 100)
        let link = "https://example.com/" + String(repeating: "x", count: 200)
        let parts = try ThreadSplitter.split(body: body, tail: link, limit: 300, rules: rules, number: true)
        #expect(parts.last!.contains(link))
        #expect(parts.allSatisfy { TextLength.count($0, rules: rules) <= 300 })
    }

    @Test func aURLLongerThanAPartFails() {
        let rules = PlatformDescriptor.of(.bluesky).rules
        let body = "see https://example.com/" + String(repeating: "x", count: 400)
        #expect(throws: ThreadSplitter.Failure.self) {
            try ThreadSplitter.split(body: body, tail: "", limit: 300, rules: rules, number: false)
        }
    }

    @Test func numberingWidensPastNineParts() throws {
        let rules = PlatformDescriptor.of(.x).rules
        let body = String(repeating: "abcdefghi ", count: 400)
        let parts = try ThreadSplitter.split(body: body, tail: "", limit: 50, rules: rules, number: true)
        #expect(parts.count > 9)
        #expect(parts.allSatisfy { TextLength.count($0, rules: rules) <= 50 })
        #expect(parts.last!.hasSuffix(" \(parts.count)/\(parts.count)"))
    }
}
