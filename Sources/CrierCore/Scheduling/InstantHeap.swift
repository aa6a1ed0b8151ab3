import Foundation

/// Values waiting for an instant, earliest first: a plain binary min-heap of (instant, value) with
/// duplicates allowed and no way to cancel — its user checks, when a value comes up, whether it
/// still wants it. The engine keeps the posts it has unloaded from memory here (a post id and when
/// to load it again): 24 bytes a post, where a `DueQueue` entry costs a bucket per instant.
///
/// Its public operations are pre-specialized for the engine's `InstantHeap<String>` (in another
/// module, which would otherwise run the generic code: the engine reads `next` on every pump).
public struct InstantHeap<Value: Sendable>: Sendable {
    private var entries: [(instant: Double, value: Value)] = []

    public init() {}

    public var count: Int {
        @_specialize(exported: true, where Value == String)
        get { entries.count }
    }
    public var isEmpty: Bool {
        @_specialize(exported: true, where Value == String)
        get { entries.isEmpty }
    }

    /// The earliest instant, or nil when empty.
    public var next: Date? {
        @_specialize(exported: true, where Value == String)
        get { entries.first.map { Date(timeIntervalSinceReferenceDate: $0.instant) } }
    }

    @_specialize(exported: true, where Value == String)
    public mutating func push(_ value: Value, at date: Date) {
        let entry = (instant: date.timeIntervalSinceReferenceDate, value: value)
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entry.instant < entries[parent].instant else { break }
            entries[child] = entries[parent]
            child = parent
        }
        entries[child] = entry
    }

    /// Removes and returns every value whose instant is at or before `now`, earliest first.
    @_specialize(exported: true, where Value == String)
    public mutating func popDue(now: Date) -> [Value] {
        let cutoff = now.timeIntervalSinceReferenceDate
        var popped: [Value] = []
        while let first = entries.first, first.instant <= cutoff {
            popped.append(first.value)
            let last = entries.removeLast()
            guard !entries.isEmpty else { break }
            var parent = 0
            while true {
                var child = 2 * parent + 1
                guard child < entries.count else { break }
                if child + 1 < entries.count, entries[child + 1].instant < entries[child].instant { child += 1 }
                guard entries[child].instant < last.instant else { break }
                entries[parent] = entries[child]
                parent = child
            }
            entries[parent] = last
        }
        return popped
    }

    /// Frees memory the heap kept from when it was larger.
    @_specialize(exported: true, where Value == String)
    public mutating func shrink() {
        if entries.capacity > 2 * entries.count + 16 { entries = Array(entries) }
    }
}
