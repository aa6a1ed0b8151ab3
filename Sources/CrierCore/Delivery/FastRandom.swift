/// xoshiro256** (Blackman and Vigna), seeded once from the system generator: the engine's source
/// for delivery ids and retry jitter; seeded with a fixed number, the tests' reproducible inputs. `SystemRandomNumberGenerator` makes a `getrandom` system call
/// for every 64 bits, which showed in profiles at tens of thousands of deliveries; ids need to be
/// unique, not secret, and a 256-bit state seeded from the system makes two daemons' streams (or two
/// runs of one) overlap with negligible probability.
public struct FastRandom: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init() {
        var system = SystemRandomNumberGenerator()
        self.init(seeds: system.next(), system.next(), system.next(), system.next())
    }

    /// A fixed stream from one number (tests' reproducible inputs): the state is expanded from the
    /// seed with SplitMix64, as the generator's authors recommend.
    public init(seed: UInt64) {
        var mix = seed
        func next() -> UInt64 {
            mix &+= 0x9e37_79b9_7f4a_7c15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        self.init(seeds: next(), next(), next(), next())
    }

    /// A fixed stream from a full state. An all-zero state would only ever yield zero, so it is nudged.
    public init(seeds a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) {
        state = (a, b, c, a | b | c | d == 0 ? 0x9e37_79b9_7f4a_7c15 : d)
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, by: 45)
        return result
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
