import CrierCore
import Foundation
import Testing

/// Inputs the fuzz targets in `fuzz/` found (`scripts/fuzz.sh`, bench/RESULTS.md "Fuzzing"), kept
/// so that each stays fixed. Each test names its target and what went wrong.
@Suite struct FuzzFindingsTests {
    // MARK: time: `DurationParser.format` trapped (`Int(Double)` beyond Int.max) on a duration the
    // parser had accepted: "202266666666666666666660" (2e23 s), "1e308240" (inf).

    @Test(arguments: ["202266666666666666666660", "1e308240", "inf", "infinity", "1e30", "1e30s",
                      "99999999999999999999999s", "3155760001", "36525d1s"])
    func aDurationTooLongToMeanAnythingIsRefused(_ text: String) {
        #expect(DurationParser.seconds(text) == nil)
    }

    @Test func aHundredYearsIsStillADuration() {
        let days: TimeInterval = 36_524
        #expect(DurationParser.seconds("\(Int(days))d") == days * 86_400)
        #expect(DurationParser.seconds("3155760000") == DurationParser.maximum)
    }

    @Test(arguments: [1e30, .infinity, -.infinity, .nan, -1e30])
    func formattingAnyNumberOfSecondsDoesNotTrap(_ seconds: Double) {
        #expect(!DurationParser.format(seconds).isEmpty)
    }

    // MARK: config: the same trap through `crier check` (and a SIGHUP reload): a retry base longer
    // than max_delay is reported with both durations formatted.

    @Test func aHugeRetryBaseIsAProblemNotACrash() {
        let result = ConfigParser.parse("""
            timezone: UTC
            retry: { base: 1e30, max_delay: 1s }
            channels:
              ops: { platform: webhook, url: "http://127.0.0.1:8787/hook" }
            """)
        #expect(result.config == nil)
        #expect(result.problems.contains { $0.line == 2 && $0.field == "retry.base" })
    }

    // MARK: post-markdown: libyaml also ends a line at a lone CR (and NEL, LS, PS); crier counts
    // lines by LF, so a stray CR in the front matter moved every YAML error and field line past the
    // end of the file ("line 105" of a 9-line file).

    /// The input as the fuzzer found it: 103 CRs inside the second line of the front matter.
    static let strayCarriageReturns = "---\nc" + String(repeating: "\r", count: 103)
        + "hanneqls: [anno:unce: [criettp---\nor l9s://example.com/cr:   - file: [>-\n"
        + "crilinettps://example.com/crier\n---\nHello from s.\n"

    @Test func aStrayCarriageReturnKeepsTheErrorOnALineOfTheFile() throws {
        let error = try #require(throws: PostFileError.self) {
            try PostParser(timeZone: TimeZone(identifier: "UTC")!).parse(Data(Self.strayCarriageReturns.utf8), fileName: "fuzz.md")
        }
        let lines = try #require(error.problems.first?.line)
        #expect((2...4).contains(lines), "the front matter is lines 2-4; got \(error)")
    }

    @Test(arguments: ["\r", "\u{85}", "\u{2028}", "\u{2029}"])
    func aFieldAfterAnUnusualLineEndIsReportedOnItsOwnLine(_ lineEnd: String) throws {
        let file = "---\nchannels: [ops]\ntags: [a]\(lineEnd)\(lineEnd)\nexpire: soon\n---\nText\n"
        let error = try #require(throws: PostFileError.self) {
            try PostParser(timeZone: TimeZone(identifier: "UTC")!).parse(Data(file.utf8), fileName: "fuzz.md")
        }
        #expect(error.problems.map(\.line) == [4], "\(error)")
    }

    // MARK: Found in Sources/CrierCore/Delivery/ (fixed; first kept as known issues, see RESULTS.md)

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// time, response: `RetryAfter.seconds` passes any text to Foundation's DateFormatter, which
    /// traps ("Incorrect range CFRange(location: 0, length: 1)") on "m" + U+034B. The daemon calls it
    /// on every 429/503's `Retry-After`, so a receiver answering `Retry-After: m\u{34B}` crashes
    /// `crier run` (checked with the release binary: SIGILL, exit 132), and again on every restart.
    @Test func aRetryAfterWithACombiningMarkDoesNotCrash() async {
        await #expect(processExitsWith: .success) {
            _ = RetryAfter.seconds("m\u{34B}", now: Date(timeIntervalSince1970: 1_800_000_000))
            _ = RetryAfter.seconds("W\u{34B}ed, 21 Oct 2015 07:28:00 GMT", now: Date(timeIntervalSince1970: 1_800_000_000))
        }
    }

    /// response: an exhausted rate limit whose reset is `inf`, `1e300` or epoch milliseconds makes
    /// `RateLimitSignal.wait` infinite or thousands of years long; `CircuitBreaker` then sets the
    /// channel's next allowed time to it and the channel never sends again, silently (`crier status`
    /// still shows a next send). Retry-After is capped at `max_retry_after`; this is not.
    @Test(arguments: ["inf", "1e300", "1800000000000"])
    func aRateLimitResetNeverBlocksAChannelForLongerThanMaxRetryAfter(_ reset: String) throws {
        let response = TransportResponse(status: 200, headers: [HTTPHeader("x-ratelimit-remaining", "0"),
                                                                HTTPHeader("x-ratelimit-reset", reset)])
        let wait = RateLimitSignal.wait(in: response, now: Self.now)
        #expect(wait.map { $0.isFinite && $0 >= 0 && $0 <= RetryPolicy().maxRetryAfter } ?? true)
    }

    /// response: `{"error":{"message":""}}` gives an empty receiver message, so the receipt says
    /// "HTTP 500: " with nothing after it; a flat `{"error":""}` gives "(no message)".
    @Test func anEmptyNestedMessageReadsAsNoMessage() {
        let response = TransportResponse(status: 500, body: Data(#"{"error":{"message":""}}"#.utf8))
        #expect(ReceiverMessage.summary(of: response) == "(no message)")
    }
}
