import Foundation
import HeapModule

/// Deliveries waiting for their time, earliest first: the daemon arms one timer to `nextDue` and pops
/// everything due when it fires. Rescheduling or cancelling a key just supersedes its old entry (it
/// is skipped when it surfaces), so every operation is O(log n).
///
/// Ties are broken by key, never by when a key was scheduled: the order then does not depend on how
/// journal commits happened to be batched, so the preview and the daemon send in the same order.
public struct DueQueue<Key: Hashable & Comparable & Sendable>: Sendable {
    private struct Entry: Comparable, Sendable {
        var due: Date
        var sequence: UInt64
        var key: Key
        static func < (lhs: Entry, rhs: Entry) -> Bool {
            if lhs.due != rhs.due { return lhs.due < rhs.due }
            if lhs.key != rhs.key { return lhs.key < rhs.key }
            return lhs.sequence < rhs.sequence
        }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.sequence == rhs.sequence }
    }

    private var heap = Heap<Entry>()
    private var current: [Key: UInt64] = [:]
    private var nextSequence: UInt64 = 0

    public init() {}

    /// Keys scheduled and not yet popped or cancelled.
    public var count: Int { current.count }

    public func contains(_ key: Key) -> Bool { current[key] != nil }

    /// Schedules `key` at `due`, replacing any earlier schedule of it.
    public mutating func schedule(_ key: Key, at due: Date) {
        nextSequence += 1
        current[key] = nextSequence
        heap.insert(Entry(due: due, sequence: nextSequence, key: key))
    }

    public mutating func cancel(_ key: Key) {
        current[key] = nil
    }

    /// The earliest due time, or nil when nothing waits.
    public mutating func nextDue() -> Date? {
        dropSuperseded()
        return heap.min?.due
    }

    /// Removes and returns up to `limit` keys due at or before `now`, earliest first.
    public mutating func popDue(now: Date, limit: Int = .max) -> [Key] {
        var keys: [Key] = []
        while keys.count < limit {
            dropSuperseded()
            guard let top = heap.min, top.due <= now else { break }
            _ = heap.removeMin()
            current[top.key] = nil
            keys.append(top.key)
        }
        return keys
    }

    private mutating func dropSuperseded() {
        while let top = heap.min, current[top.key] != top.sequence {
            _ = heap.removeMin()
        }
    }
}
