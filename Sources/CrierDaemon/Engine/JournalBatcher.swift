import Foundation

/// Gathers the journal changes the engine makes and hands them to the journal one batch at a time:
/// whatever arrives while a batch is being written goes together in the next one (group commit),
/// and each batch's completions run on the engine's queue once it is durable.
///
/// A batch the journal could not write (a full disk, an I/O error) is not lost and not reordered:
/// it stays at the head of the line and is written again after a backoff (1 s doubling to 30 s),
/// with everything that came after it, until the journal takes it. `onHealthChange` tells the
/// engine when writing starts failing (it then starts no sends: a send may only start once its
/// intent is durable) and when it works again.
///
/// Confined to the engine's queue, like the engine.
final class JournalBatcher: @unchecked Sendable {
    // Confinement: every mutable member is used only on `queue` (the engine's).
    private let journal: any Journal
    private let queue: DispatchQueue
    private var changes: [JournalChange] = []
    private var completions: [@Sendable (JournalError?) -> Void] = []
    /// A batch is with the journal (or waiting out a backoff before it goes again).
    private var writing = false
    private var retryDelay: TimeInterval = 0
    /// Why the journal refuses writes, while it does.
    private(set) var failure: JournalError?
    /// Runs after each hand-over and each completed batch (the engine checks whether it became idle).
    var afterSubmit: () -> Void = {}
    /// Told when writes start failing (the error) and when they work again (nil).
    var onHealthChange: (JournalError?) -> Void = { _ in }

    init(journal: any Journal, queue: DispatchQueue) {
        self.journal = journal
        self.queue = queue
    }

    /// Nothing waiting to be written and nothing being written.
    var isEmpty: Bool { changes.isEmpty && completions.isEmpty && !writing }

    /// Adds `new` to the next batch; `completion` runs on the engine's queue once it is durable.
    func commit(_ new: [JournalChange], completion: (@Sendable (JournalError?) -> Void)? = nil) {
        if changes.isEmpty, completions.isEmpty, !writing {
            queue.async { [weak self] in self?.submit() }
        }
        changes.append(contentsOf: new)
        if let completion { completions.append(completion) }
    }

    private func submit() {
        guard !writing, !changes.isEmpty || !completions.isEmpty else { return }
        let batch = changes
        let waiting = completions
        changes.removeAll()
        completions.removeAll()
        writing = true
        journal.commit(batch, on: queue) { [weak self] error in
            guard let self else { return }
            if let error {
                // Nothing of the batch was written (one transaction): it goes again, first.
                self.changes.insert(contentsOf: batch, at: 0)
                self.completions.insert(contentsOf: waiting, at: 0)
                if self.failure == nil {
                    self.failure = error
                    self.onHealthChange(error)
                }
                self.retryDelay = min(max(self.retryDelay * 2, 1), 30)
                self.queue.asyncAfter(deadline: .now() + self.retryDelay) { [weak self] in
                    self?.writing = false
                    self?.submit()
                }
                return
            }
            self.writing = false
            self.retryDelay = 0
            if self.failure != nil {
                self.failure = nil
                self.onHealthChange(nil)
            }
            for completion in waiting { completion(nil) }
            if !self.changes.isEmpty || !self.completions.isEmpty { self.submit() }
            self.afterSubmit()
        }
        afterSubmit()
    }
}
