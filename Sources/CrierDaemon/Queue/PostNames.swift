import CrierCore
import Foundation

/// Names crier makes up for post files: posts enqueued from standard input, and alerts.
public enum PostNames {
    /// `post-20261121-101500-k3x9`: sortable by time, unique enough for one queue.
    public static func generated(prefix: String = "post-", now: Date = Date()) -> String {
        let stamp = TimestampFormat.string(now).prefix(19).filter { $0.isNumber || $0 == "T" }.replacingOccurrences(of: "T", with: "-")
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        let suffix = String((0..<4).map { _ in alphabet.randomElement()! })
        return "\(prefix)\(stamp)-\(suffix)"
    }
}
