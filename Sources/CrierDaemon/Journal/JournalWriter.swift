import Foundation

/// The group commit every journal store shares: changes that arrive while a transaction is being
/// written wait and go together in the next one, so one fsync covers many state changes and
/// durability does not cap throughput. A completion runs only after its changes are durable.
///
/// A transaction that fails (a full disk, an I/O error, a lost database connection) loses nothing
/// and reorders nothing: its changes stay at the head of the line, with everything committed after
/// them behind, and are written again after a backoff (1 s, doubling to 30 s) until the store takes
/// them; their completions wait until then. `observeHealth` tells when writing starts failing and
/// when it works again.
final class JournalWriter: @unchecked Sendable {
    typealias Completion = (queue: DispatchQueue?, callback: @Sendable (JournalError?) -> Void)

    // Confinement: everything below `lock` is guarded by it; `write` runs only on `writerQueue`.
    private let writerQueue: DispatchQueue
    /// Writes one batch in one transaction, on the writer queue.
    private let write: ([JournalChange]) throws(JournalError) -> Void
    private let lock = NSLock()
    private var pending: [JournalChange] = []
    private var completions: [Completion] = []
    private var flushScheduled = false
    /// While writes fail: the error, the wait before the next try, and who is told.
    private var failure: JournalError?
    private var retryDelay: TimeInterval = 0
    private var healthObservers: [(queue: DispatchQueue, observer: @Sendable (JournalError?) -> Void)] = []

    init(label: String, write: @escaping ([JournalChange]) throws(JournalError) -> Void) {
        writerQueue = DispatchQueue(label: label)
        self.write = write
    }

    /// Queues `changes` for the next group commit; `completion` runs once they are durable — on
    /// `queue` if given, where all the completions of one commit run together in a single block,
    /// else on the writer queue.
    func commit(_ changes: [JournalChange], on queue: DispatchQueue?, completion: (@Sendable (JournalError?) -> Void)?) {
        lock.lock()
        if pending.isEmpty {
            // The usual case (the writer took the last batch): keep the caller's array instead of
            // copying every change into ours.
            pending = changes
        } else {
            pending.append(contentsOf: changes)
        }
        if let completion { completions.append((queue, completion)) }
        let shouldSchedule = !flushScheduled
        flushScheduled = true
        lock.unlock()
        if shouldSchedule { writerQueue.async { self.flush() } }
    }

    /// Blocks until everything committed so far is durable.
    func waitForPendingCommits() {
        writerQueue.sync {}
        lock.lock()
        let more = flushScheduled
        lock.unlock()
        if more { writerQueue.sync {} }
    }

    func observeHealth(on queue: DispatchQueue, _ observer: @escaping @Sendable (JournalError?) -> Void) {
        lock.lock()
        healthObservers.append((queue, observer))
        lock.unlock()
    }

    /// Runs `body` on the writer queue, between group commits (a store's own writes that must not
    /// interleave with a batch).
    func onWriterQueue<T>(_ body: () -> T) -> T {
        writerQueue.sync(execute: body)
    }

    private func flush() {
        lock.lock()
        let batch = pending
        let callbacks = completions
        // A start-up burst can gather tens of thousands of changes in one batch: that much capacity
        // is not kept for the quiet hours after it.
        pending.removeAll(keepingCapacity: pending.count <= 4096)
        completions.removeAll(keepingCapacity: completions.count <= 4096)
        flushScheduled = false
        lock.unlock()
        guard !batch.isEmpty || !callbacks.isEmpty else { return }
        do {
            if !batch.isEmpty { try write(batch) }
        } catch {
            return failed(batch, callbacks, error: error)
        }
        lock.lock()
        let recovered = self.failure != nil
        self.failure = nil
        retryDelay = 0
        let observers = recovered ? healthObservers : []
        lock.unlock()
        for (queue, observer) in observers { queue.async { observer(nil) } }
        var byQueue: [ObjectIdentifier: (DispatchQueue, [@Sendable (JournalError?) -> Void])] = [:]
        for (queue, callback) in callbacks {
            guard let queue else {
                callback(nil)
                continue
            }
            byQueue[ObjectIdentifier(queue), default: (queue, [])].1.append(callback)
        }
        for (queue, list) in byQueue.values {
            queue.async { for callback in list { callback(nil) } }
        }
    }

    /// Puts a batch the store refused back at the head of the line and tries again later.
    private func failed(_ batch: [JournalChange], _ callbacks: [Completion], error: JournalError) {
        lock.lock()
        pending.insert(contentsOf: batch, at: 0)
        completions.insert(contentsOf: callbacks, at: 0)
        flushScheduled = true  // the retry below flushes; commits meanwhile only queue up
        let starting = self.failure == nil
        self.failure = error
        retryDelay = min(max(retryDelay * 2, 1), 30)
        let delay = retryDelay
        let observers = starting ? healthObservers : []
        lock.unlock()
        for (queue, observer) in observers { queue.async { observer(error) } }
        writerQueue.asyncAfter(deadline: .now() + delay) { self.flush() }
    }
}
