import Foundation

/// A thread-safe list that transports and observers append to while a test reads it.
public final class Recorded<Element: Sendable>: @unchecked Sendable {
    // Confinement: `items` is guarded by `lock`.
    private let lock = NSLock()
    private var items: [Element] = []

    public init() {}

    public func append(_ item: Element) {
        lock.lock()
        items.append(item)
        lock.unlock()
    }

    public var all: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    /// Appends and returns how many came before (for answers that change over time).
    public func next(_ item: Element) -> Int {
        lock.lock()
        defer { lock.unlock() }
        items.append(item)
        return items.count - 1
    }
}
