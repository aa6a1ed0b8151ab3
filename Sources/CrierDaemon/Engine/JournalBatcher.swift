import Foundation

/// Gathers the journal changes the engine makes during one turn of its queue and hands them to the
/// journal together at the end of the turn, with the completions to run once they are durable.
/// Each delivery's outcome is its own change, and handing each over alone made the journal write
/// thousands of transactions of three changes, each with its own hop back, where one would do.
/// (The journal groups what arrives while it writes; a batch it cannot write it keeps, in order,
/// and writes again — see `Journal.commit`.)
///
/// Confined to the engine's queue, like the engine.
final class JournalBatcher: @unchecked Sendable {
    // Confinement: every mutable member is used only on `queue` (the engine's).
    private let journal: any Journal
    private let queue: DispatchQueue
    private var changes: [JournalChange] = []
    private var completions: [@Sendable () -> Void] = []
    /// Runs after each hand-over (the engine checks whether it became idle).
    var afterSubmit: () -> Void = {}
    /// How many times changes were added: every change of the engine's state is journaled, so an
    /// unchanged count means nothing changed (what `DeliveryEngine.summary()` caches on).
    private(set) var changeCount = 0

    init(journal: any Journal, queue: DispatchQueue) {
        self.journal = journal
        self.queue = queue
    }

    /// Nothing waiting to be handed over.
    var isEmpty: Bool { changes.isEmpty && completions.isEmpty }

    /// Adds `changes` to this turn's batch; `completion` runs on the engine's queue once durable
    /// (the journal keeps and rewrites what it could not write, so there is no failure to handle).
    func commit(_ new: [JournalChange], completion: (@Sendable () -> Void)? = nil) {
        if isEmpty {
            queue.async { [weak self] in self?.submit() }
        }
        if changes.isEmpty { changes = new } else { changes.append(contentsOf: new) }
        changeCount &+= 1
        if let completion { completions.append(completion) }
    }

    private func submit() {
        let batch = changes
        let waiting = completions
        changes.removeAll()
        completions.removeAll()
        if waiting.isEmpty {
            journal.commit(batch)
        } else {
            journal.commit(batch, on: queue) { _ in
                for completion in waiting { completion() }
            }
        }
        afterSubmit()  // a batch of fire-and-forget changes may have been all that kept the engine busy
    }
}
