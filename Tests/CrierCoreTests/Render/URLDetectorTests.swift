import Testing
@testable import CrierCore

struct URLDetectorTests {
    static let cases: [(String, [String])] = [
        ("go to https://example.com now", ["https://example.com"]),
        ("HTTPS://EXAMPLE.COM/A", ["HTTPS://EXAMPLE.COM/A"]),
        ("see example.com/x.", ["example.com/x"]),
        ("see example.com.", ["example.com"]),
        ("www.example.co.uk/path?q=1&r=2#frag", ["www.example.co.uk/path?q=1&r=2#frag"]),
        ("(https://example.com/a)", ["https://example.com/a"]),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("(https://en.wikipedia.org/wiki/Foo_(bar)), ok", ["https://en.wikipedia.org/wiki/Foo_(bar)"]),
        ("end https://example.com/x?!", ["https://example.com/x"]),
        ("\"https://example.com/q\"", ["https://example.com/q"]),
        ("https://bücher.de/straße", ["https://bücher.de/straße"]),
        ("https://例え.jp/パス", ["https://例え.jp/"]),
        ("例え.jp", []),
        ("日本語example.com", ["example.com"]),
        ("me@example.com", []),
        ("@alice.bsky.social", []),
        ("#example.com", []),
        ("node.js and v1.2", []),
        ("README.md", ["README.md"]),
        ("example.comx", []),
        ("localhost:8080/x", []),
        ("http://example.com:8080/x", ["http://example.com:8080/x"]),
        ("two: a.io b.dev", ["a.io", "b.dev"]),
        ("<https://example.com>", ["https://example.com"]),
    ]

    @Test("twitter-text-like URL detection", arguments: cases)
    func detects(_ text: String, _ expected: [String]) {
        #expect(URLDetector.urls(in: text) == expected)
    }

    @Test func requireSchemeSkipsSchemeless() {
        #expect(URLDetector.urls(in: "a example.com/x https://b.org", options: .init(requireScheme: true)) == ["https://b.org"])
    }

    @Test func strictBoundaryNeedsWhitespace() {
        #expect(URLDetector.urls(in: "日本語example.com x.com", options: .init(strictBoundary: true)) == ["x.com"])
    }

    @Test func veryLongURLIsOneRange() {
        let url = "https://example.com/" + String(repeating: "abc/", count: 2000)
        #expect(URLDetector.urls(in: "x " + url + " y") == [url])
    }
}
