import Crypto
import Foundation

/// The record key (`rkey`) crier gives a delivery's post: a valid TID (atproto.com/specs/tid —
/// 13 characters of base32-sortable, a 64-bit integer with the top bit 0, 53 bits of
/// microseconds since the Unix epoch, then a 10-bit clock id), derived only from the delivery, so
/// every try of the same delivery names the same record and the PDS cannot create it twice.
///
/// The timestamp is the post's scheduled time (plus the part number, so the parts of a thread
/// sort in order); the clock id is taken from a SHA-256 of the delivery id, so two posts
/// scheduled for the same microsecond still get different keys (1 in 1,024 would collide, and
/// then only if their part numbers match too).
public enum BlueskyRecordKey {
    static let alphabet = Array("234567abcdefghijklmnopqrstuvwxyz".utf8)

    public static func tid(deliveryID: String, scheduledAt: Date, part: Int) -> String {
        let micros = max(0, Int64((scheduledAt.timeIntervalSince1970 * 1_000_000).rounded(.down))) + Int64(max(part, 0))
        let digest = Array(SHA256.hash(data: Data(deliveryID.utf8)))
        let clockID = (UInt64(digest[0]) << 8 | UInt64(digest[1])) & 0x3FF
        let value = (UInt64(micros) & ((1 << 53) - 1)) << 10 | clockID
        return encode(value)
    }

    /// The 13-character base32-sortable form of a 64-bit value (its top bit must be 0).
    static func encode(_ value: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 13)
        var rest = value
        for index in stride(from: 12, through: 0, by: -1) {
            out[index] = alphabet[Int(rest & 31)]
            rest >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `key` is a syntactically valid TID: 13 characters of the alphabet, the first one of
    /// `234567abcdefghij` (top bit 0).
    public static func isValidTID(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count == 13, let first = bytes.first, alphabet.prefix(16).contains(first) else { return false }
        return bytes.allSatisfy { alphabet.contains($0) }
    }
}
