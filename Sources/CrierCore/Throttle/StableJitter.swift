import Foundation

/// Deterministic jitter: a fraction in 0..<1 from a stable key (e.g. "post/channel/part"), so
/// `crier preview` and the daemon plan the same instant, before and after a restart.
///
/// The fraction is FNV-1a 64 of the key's UTF-8 bytes, passed through the SplitMix64 finalizer,
/// top 53 bits over 2^53. Changing this function moves every planned send: treat it as a format.
public enum StableJitter {
    public static func fraction(for key: String) -> Double {
        let hash = StableHash.mix(StableHash.fnv1a64(key.utf8))
        return Double(hash >> 11) / 9_007_199_254_740_992.0 // 2^53
    }

    /// `fraction(for: key) * jitter`: how much later than planned the send for `key` goes (0..<jitter).
    public static func offset(for key: String, jitter: TimeInterval) -> TimeInterval {
        jitter > 0 ? fraction(for: key) * jitter : 0
    }
}
