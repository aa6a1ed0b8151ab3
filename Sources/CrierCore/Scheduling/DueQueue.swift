import Foundation

/// Deliveries waiting for their time, earliest first: the daemon arms one timer to `nextDue` and pops
/// everything due when it fires. Rescheduling or cancelling a key just supersedes its old entry (it
/// is skipped when it surfaces).
///
/// Ties are broken by key, never by when a key was scheduled: the order then does not depend on how
/// journal commits happened to be batched, so the preview and the daemon send in the same order.
///
/// Shape: a min-heap of distinct due instants, and per instant a bucket of the keys due then, sorted
/// by key once, when the instant comes up. Ties are the common case — a queue of posts all due "now",
/// the parts of a thread, a slot shared by a channel's posts — and keys are strings, so comparing them
/// is what costs: sorting a bucket (nearly sorted already, as the intake hands posts over in name
/// order) costs far fewer comparisons than a heap that breaks every tie by key on every sift.
///
/// The engine's queue (`DueQueue<DeliveryKey>`) lives in another module, which would otherwise call the
/// generic code and look up the metadata of its tuples and dictionaries at run time on every call (12%
/// of a 10,000-post preview's send phase): its public operations are pre-specialized for `DeliveryKey`.
public struct DueQueue<Key: Hashable & Comparable & Sendable>: Sendable {
    /// The keys due at one instant, handed out in key order. Up to when the instant comes up, keys
    /// collect in `run`, sorted once then. Later arrivals (posts read while the instant is being
    /// worked through, the next part of a thread) go to `tail` while they come in key order, which
    /// is the usual case, else to `late`, a min-heap; the next key is the least of the three heads.
    private struct Bucket: Sendable {
        typealias Entry = (key: Key, sequence: UInt64)
        private var run: [Entry] = []
        private var runCursor = 0
        private var runSorted = true
        private var started = false
        private var tail: [Entry] = []
        private var tailCursor = 0
        private var late: [Entry] = []

        mutating func append(_ key: Key, sequence: UInt64) {
            let entry = (key: key, sequence: sequence)
            guard started else {
                if runSorted, let last = run.last, key < last.key { runSorted = false }
                run.append(entry)
                return
            }
            if tailCursor == tail.count {
                tail.removeAll(keepingCapacity: true)
                tailCursor = 0
            }
            if let last = tail.last, key < last.key {
                pushLate(entry)
            } else {
                tail.append(entry)
            }
        }

        /// Moves past superseded entries; true if a live one is next (then `takeNext` hands it out).
        mutating func skipSuperseded(instant: Double, live: [Key: (due: Double, sequence: UInt64)]) -> Bool {
            if !started {
                started = true
                if !runSorted { run.sort { Self.precedes($0, $1) } }
            }
            while let next = peek() {
                if let current = live[next.entry.key], current.due == instant, current.sequence == next.entry.sequence { return true }
                take(from: next.source)
            }
            return false
        }

        /// Removes and returns the next key (call after `skipSuperseded` returned true).
        mutating func takeNext() -> Key {
            let next = peek()!
            take(from: next.source)
            return next.entry.key
        }

        private enum Source { case run, tail, late }

        private func peek() -> (entry: Entry, source: Source)? {
            var best: (entry: Entry, source: Source)? = runCursor < run.count ? (run[runCursor], .run) : nil
            if tailCursor < tail.count, best.map({ Self.precedes(tail[tailCursor], $0.entry) }) ?? true {
                best = (tail[tailCursor], .tail)
            }
            if let top = late.first, best.map({ Self.precedes(top, $0.entry) }) ?? true {
                best = (top, .late)
            }
            return best
        }

        private mutating func take(from source: Source) {
            switch source {
            case .run: runCursor += 1
            case .tail: tailCursor += 1
            case .late: popLate()
            }
        }

        private mutating func pushLate(_ entry: Entry) {
            late.append(entry)
            var child = late.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.precedes(late[child], late[parent]) else { break }
                late.swapAt(child, parent)
                child = parent
            }
        }

        private mutating func popLate() {
            late.swapAt(0, late.count - 1)
            late.removeLast()
            var parent = 0
            while true {
                var child = 2 * parent + 1
                guard child < late.count else { break }
                if child + 1 < late.count, Self.precedes(late[child + 1], late[child]) { child += 1 }
                guard Self.precedes(late[child], late[parent]) else { break }
                late.swapAt(parent, child)
                parent = child
            }
        }

        private static func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
            if lhs.key != rhs.key { return lhs.key < rhs.key }
            return lhs.sequence < rhs.sequence
        }
    }

    /// The live schedule of each key: its instant and sequence number. Popped and cancelled keys are
    /// absent, which is how superseded bucket entries are recognised.
    private var live: [Key: (due: Double, sequence: UInt64)] = [:]
    private var buckets: [Double: Bucket] = [:]
    /// Min-heap of the instants that have a bucket.
    private var instants: [Double] = []
    private var nextSequence: UInt64 = 0

    @_specialize(exported: true, where Key == DeliveryKey)
    public init() {}

    /// Keys scheduled and not yet popped or cancelled.
    public var count: Int { live.count }

    @_specialize(exported: true, where Key == DeliveryKey)
    public func contains(_ key: Key) -> Bool { live[key] != nil }

    /// Schedules `key` at `due`, replacing any earlier schedule of it.
    @_specialize(exported: true, where Key == DeliveryKey)
    public mutating func schedule(_ key: Key, at due: Date) {
        let instant = due.timeIntervalSinceReferenceDate
        nextSequence += 1
        live[key] = (instant, nextSequence)
        if buckets[instant] == nil {
            buckets[instant] = Bucket()
            pushInstant(instant)
        }
        buckets[instant]!.append(key, sequence: nextSequence)
    }

    @_specialize(exported: true, where Key == DeliveryKey)
    public mutating func cancel(_ key: Key) {
        live[key] = nil
    }

    /// The earliest due time, or nil when nothing waits.
    @_specialize(exported: true, where Key == DeliveryKey)
    public mutating func nextDue() -> Date? {
        while let instant = instants.first {
            if buckets[instant]!.skipSuperseded(instant: instant, live: live) {
                return Date(timeIntervalSinceReferenceDate: instant)
            }
            dropEarliestInstant()
        }
        return nil
    }

    /// Removes and returns up to `limit` keys due at or before `now`, earliest first.
    @_specialize(exported: true, where Key == DeliveryKey)
    public mutating func popDue(now: Date, limit: Int = .max) -> [Key] {
        let cutoff = now.timeIntervalSinceReferenceDate
        var popped: [Key] = []
        while popped.count < limit, let instant = instants.first, instant <= cutoff {
            while popped.count < limit, buckets[instant]!.skipSuperseded(instant: instant, live: live) {
                let key = buckets[instant]!.takeNext()
                live[key] = nil
                popped.append(key)
            }
            if popped.count < limit { dropEarliestInstant() }
        }
        return popped
    }

    // MARK: Instants

    private mutating func pushInstant(_ instant: Double) {
        instants.append(instant)
        var child = instants.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard instant < instants[parent] else { break }
            instants[child] = instants[parent]
            child = parent
        }
        instants[child] = instant
    }

    /// Removes the earliest instant and its (used up) bucket.
    private mutating func dropEarliestInstant() {
        buckets[instants[0]] = nil
        let last = instants.removeLast()
        guard !instants.isEmpty else { return }
        var parent = 0
        while true {
            var child = 2 * parent + 1
            guard child < instants.count else { break }
            if child + 1 < instants.count, instants[child + 1] < instants[child] { child += 1 }
            guard instants[child] < last else { break }
            instants[parent] = instants[child]
            parent = child
        }
        instants[parent] = last
    }
}
