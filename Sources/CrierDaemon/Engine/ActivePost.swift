import CrierCore
import Foundation

/// The engine's in-memory view of a post that is not finished: its journal row, its parsed content
/// (nil until its file has been read, while only its file holds it, or after its file left) and its
/// deliveries. (A post due much later is not held here at all: see `DeliveryEngine+Dormancy`.)
///
/// A class, confined to the engine's queue like the rest of its state: the engine changes one
/// delivery at a time, and a value type kept in a dictionary would copy every record of the post
/// on each change.
final class ActivePost {
    /// A post's content as its file gave it: boxed, so a post without it in memory costs a pointer.
    final class Content {
        let post: Post
        /// Rendered parts per channel (text, facets, HTML: what adapters are given).
        let parts: [String: [RenderedPart]]

        init(post: Post, parts: [String: [RenderedPart]]) {
            self.post = post
            self.parts = parts
        }
    }

    var journal: JournalPost
    private(set) var content: Content?
    /// The content is not in memory but its file is trusted to hold it (the journal's hash): the
    /// engine reads the file again before a delivery goes (`DeliveryEngine.loadContent`). Restored
    /// and woken posts start this way.
    var contentInFile = false
    /// Dropped on another node sharing the store: delivered from here if this node claims it first,
    /// never filed here (its file is on that node).
    var remote = false
    /// Where its adapters read its media, when not from this node's queue (a remote post's media,
    /// placed from the shared store: `RemoteMediaDirectory`).
    var media: (any MediaSource)?
    var post: Post? { content?.post }
    var parts: [String: [RenderedPart]] { content?.parts ?? [:] }
    var records: [DeliveryKey: DeliveryRecord] = [:]
    var inFlight: Set<DeliveryKey> = []
    /// Deliveries made here (a new post, or a channel or part an edit added) whose first journal
    /// commit is not durable yet: none is scheduled before its id is in the journal.
    var unjournaled: Set<DeliveryKey> = []
    /// Journal commits of this post that are not durable yet. The post is filed only at zero:
    /// moving its file to `sent/` while an outcome is still unwritten would, after a crash, leave a
    /// journal that thinks a sent delivery is pending and its file gone.
    var unsavedChanges = 0
    /// The file left the queue: pending deliveries are cancelled as they come free.
    var fileRemoved = false
    var finalizing = false
    /// Filings that failed so far (each is tried again after a growing pause).
    var filingAttempts = 0
    /// For each channel that needs approval: the content hash of the variant that would go out
    /// (`ApprovalRule.contentHash`), which an approval must match.
    var approvalHashes: [String: String] = [:]

    init(journal: JournalPost) {
        self.journal = journal
    }

    /// Holds `post` and its rendered parts in memory.
    func load(_ post: Post, parts: [String: [RenderedPart]]) {
        content = Content(post: post, parts: parts)
        contentInFile = false
    }

    /// Drops the content (its file left the queue).
    func unload() {
        content = nil
        contentInFile = false
    }

    /// The content is in memory, or can be read again from the file.
    var hasContent: Bool { content != nil || contentInFile }

    var allFinal: Bool { records.values.allSatisfy { $0.status.isFinal } }

    /// Whether the post may be filed now: every delivery final (none `unknown`, none in flight),
    /// every outcome durable, not already being filed — and, before the first scan has finished,
    /// only if its file was read (else a restored post could be filed before its file is seen).
    func readyToFile(initialScanDone: Bool) -> Bool {
        unsavedChanges == 0 && !finalizing && inFlight.isEmpty && allFinal && (initialScanDone || post != nil)
    }

    /// Per channel, the lowest-numbered pending part: the only one that may be scheduled (a thread's
    /// parts go out in order, each replying to the one before). In key order.
    ///
    /// Asked after every send: a post has a few channels, so they are kept in a small array searched
    /// in line rather than a dictionary hashing each channel name, and a post with nothing pending
    /// costs one pass over its records.
    func nextPendingParts() -> [DeliveryKey] {
        var next: [DeliveryKey] = []
        for (key, record) in records where record.status == .pending {
            if let index = next.firstIndex(where: { $0.channel == key.channel }) {
                if key.part < next[index].part { next[index] = key }
            } else {
                next.append(key)
            }
        }
        // An earlier part that is not sent blocks this one.
        next.removeAll { key in
            !(1..<key.part).allSatisfy { part in
                records[DeliveryKey(post: key.post, channel: key.channel, part: part)].map { $0.status == .sent } ?? true
            }
        }
        if next.count > 1 { next.sort() }
        return next
    }
}
