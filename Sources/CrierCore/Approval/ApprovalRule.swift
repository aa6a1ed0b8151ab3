import Crypto
import Foundation

/// Whether a post needs approval on a channel, and what an approval is bound to: the content hash of
/// the channel's rendered variant (every part's text and the media with their alt texts), so an edit
/// after approval withdraws it — the text that was approved is the text that goes out.
public enum ApprovalRule {
    public static func isRequired(post: Post, channel: ChannelConfig, defaults: PostDefaults) -> Bool {
        if post.approvalRequired { return true }
        switch channel.approval {
        case .some(.required): return true
        case .some(.notRequired): return false
        case nil: return defaults.approvalRequired
        }
    }

    /// `sha256:` + hex of the parts and media, each length-prefixed so no two variants collide.
    public static func contentHash(parts: [String], media: [PostMedia]) -> String {
        var hasher = SHA256()
        func add(_ text: String) {
            let bytes = Array(text.utf8)
            hasher.update(data: Array("\(bytes.count):".utf8))
            hasher.update(data: bytes)
        }
        for part in parts { add(part) }
        for item in media {
            add(item.file)
            add(item.alt ?? "")
        }
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
