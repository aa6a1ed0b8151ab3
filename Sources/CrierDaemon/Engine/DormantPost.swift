/// A post the engine keeps out of memory until shortly before it is due: its rows stay in the
/// journal and its content in its file; the engine remembers only this, by post id, and when to
/// wake it (`DeliveryEngine.dormantSchedule`, by due time).
struct DormantPost {
    /// The post's file in the queue (its intake events name it).
    var file: String
    /// The start of the journal's content hash (15 hex digits: a string that small needs no
    /// allocation): the intake reading the same file again (a SIGHUP re-reads every file) need not
    /// wake the post.
    var hashPrefix: String
    /// Its pending deliveries, for the status line.
    var pendingDeliveries: Int32

    static func hashPrefix(_ contentHash: String) -> String {
        String(contentHash.prefix(15))
    }
}
