import Foundation
import HeapModule

/// Deliveries waiting for their time, earliest first: the daemon arms one timer to `nextDue` and pops
/// everything due when it fires. Rescheduling or cancelling a key just supersedes its old entry (it
/// is skipped when it surfaces), so every operation is O(log n).
public struct DueQueue<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Comparable, Sendable {
        var due: Date
        var sequence: UInt64
        var key: Key
        static func < (lhs: Entry, rhs: Entry) -> Bool { (lhs.due, lhs.sequence) < (rhs.due, rhs.sequence) }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.sequence == rhs.sequence }
    }

    private var heap = Heap<Entry>()
    private var current: [Key: UInt64] = [:]
    private var nextSequence: UInt64 = 0

    public init() {}

    /// Keys scheduled and not yet popped or cancelled.
    public var count: Int { current.count }

    public func contains(_ key: Key) -> Bool { current[key] != nil }

    /// Schedules `key` at `due`, replacing any earlier schedule of it. Ties keep insertion order.
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
