import Foundation
import Testing
@testable import CrierCore

@Suite struct StableJitterTests {
    @Test func fnvMatchesPublishedTestVectors() {
        #expect(StableHash.fnv1a64("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar".utf8) == 0x8594_4171_f739_67e8)
    }

    @Test func fractionIsPinnedAndDeterministic() {
        // Pinned: a change here moves every planned send, so it must be deliberate.
        #expect(StableJitter.fraction(for: "launch/mastodon/1") == StableJitter.fraction(for: "launch/mastodon/1"))
        #expect(StableJitter.fraction(for: "launch/mastodon/1") == Self.pinned)
        #expect(StableJitter.fraction(for: "launch/mastodon/1") != StableJitter.fraction(for: "launch/mastodon/2"))
        #expect(StableJitter.offset(for: "launch/mastodon/1", jitter: 0) == 0)
        #expect(StableJitter.offset(for: "launch/mastodon/1", jitter: 60) == Self.pinned * 60)
    }

    /// FNV-1a 64 + SplitMix64 finalizer of "launch/mastodon/1", top 53 bits (computed independently).
    static let pinned = Double(8_228_579_021_955_957) / 9_007_199_254_740_992 // 0.9135557890123055

    @Test func fractionsAreInRangeAndSpread() {
        var deciles = Array(repeating: 0, count: 10)
        var sum = 0.0
        for index in 0..<10_000 {
            let fraction = StableJitter.fraction(for: "post-\(index)/x/1")
            #expect(fraction >= 0 && fraction < 1)
            deciles[Int(fraction * 10)] += 1
            sum += fraction
        }
        #expect(abs(sum / 10_000 - 0.5) < 0.02)
        #expect(deciles.allSatisfy { (800...1_200).contains($0) }, "\(deciles)")
    }
}
