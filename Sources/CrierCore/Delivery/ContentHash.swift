import Crypto
import Foundation

/// SHA-256 of a post file's bytes, hex: how the journal notices an edit.
public enum ContentHash {
    public static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
