import Foundation

/// The ids of the posts an in-memory journal holds, kept beside it so that asking it for posts it
/// does not have reads nothing. An in-memory journal is one SQLite connection, so a read waits for
/// the group commit being written; the engine asks for the rows of each intake batch's new posts
/// (of which a journal usually has none) while the batch before is being written, and in a preview
/// of 10,000 posts those reads spent 0.2–0.4 s waiting. (A journal on disk is a WAL pool whose reads
/// never wait: it has no such set, and keeps no per-post memory for it.)
///
/// An id goes in before the change that adds its row is written: a read that finds the id goes to
/// the database (and waits for that write, and sees the row); a read that does not find it was
/// asked before that write was even handed to the database, so it would not have seen the row
/// either. Ids are never taken out: one whose row is gone just costs a read that finds nothing.
final class JournalPostIDs: @unchecked Sendable {
    // Confinement: `ids` is guarded by `lock` (written on the journal's writer queue, read by callers).
    private let lock = NSLock()
    private var ids: Set<String>

    init<S: Sequence<String>>(_ ids: S) {
        self.ids = Set(ids)
    }

    /// Notes the posts `changes` write (call before writing them).
    func insert(from changes: [JournalChange]) {
        lock.lock()
        defer { lock.unlock() }
        for case .upsertPost(let post) in changes { ids.insert(post.id) }
    }

    /// Those of `candidates` the journal may have, in order.
    func known(among candidates: [String]) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return candidates.filter(ids.contains)
    }
}
