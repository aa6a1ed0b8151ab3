import CCrierLinux
import CrierCore
import Foundation
import Glibc
import Logging

/// Moves finished posts into `sent/`, `failed/` or `cancelled/` with their receipt, and bad files into
/// `rejected/` with the reason — Postfix-style, the directories are the states. Work is batched on
/// its own queue: many moves, then one `syncfs`, then the completions, so filing 10,000 posts does
/// not cost 40,000 fsyncs. A completion means the moves are durable.
public final class PostFiler: @unchecked Sendable {
    // Confinement: `jobs` and `scheduled` are guarded by `lock`; file work runs only on `queue`.
    public struct Finished: Sendable {
        public var fileName: String
        /// Whether the post file should still be in the queue (false after it was deleted).
        public var fileInQueue: Bool
        public var outcome: PostOutcome
        public var receipt: Receipt
    }

    private enum Job {
        case finish(Finished)
        case reject(name: String, reason: String)
    }

    private let layout: QueueLayout
    private let dryRun: Bool
    private let logger: Logger
    private let queue = DispatchQueue(label: "crier.filer")
    private let lock = NSLock()
    private var jobs: [(job: Job, queue: DispatchQueue, completion: @Sendable (String?) -> Void)] = []
    private var scheduled = false

    public init(layout: QueueLayout, dryRun: Bool, logger: Logger) {
        self.layout = layout
        self.dryRun = dryRun
        self.logger = logger
    }

    /// Files a finished post; `completion` runs on `queue` with where it went (nil if it could not be
    /// filed). The completions of one batch run together in a single block per queue.
    public func file(_ finished: Finished, on callerQueue: DispatchQueue, completion: @escaping @Sendable (String?) -> Void) {
        enqueue(.finish(finished), callerQueue, completion)
    }

    /// Moves `name` to `rejected/` beside `NAME.error.txt` holding `reason`.
    public func reject(name: String, reason: String, on callerQueue: DispatchQueue, completion: @escaping @Sendable (String?) -> Void) {
        enqueue(.reject(name: name, reason: reason), callerQueue, completion)
    }

    /// Blocks until every job handed in so far is done.
    public func waitUntilIdle() {
        queue.sync {}
    }

    private func enqueue(_ job: Job, _ callerQueue: DispatchQueue, _ completion: @escaping @Sendable (String?) -> Void) {
        lock.lock()
        jobs.append((job, callerQueue, completion))
        let shouldSchedule = !scheduled
        scheduled = true
        lock.unlock()
        // On the filer's own queue: the renames, receipts and `syncfs` must not hold up the caller
        // (the engine), only the completions go back to it.
        if shouldSchedule { queue.async { self.runBatch() } }
    }

    private func runBatch() {
        lock.lock()
        let batch = jobs
        jobs.removeAll(keepingCapacity: true)
        scheduled = false
        lock.unlock()
        var results: [ObjectIdentifier: (DispatchQueue, [(String?, @Sendable (String?) -> Void)])] = [:]
        for (job, queue, completion) in batch {
            let destination: String?
            switch job {
            case .finish(let finished): destination = perform(finished)
            case .reject(let name, let reason): destination = performReject(name: name, reason: reason)
            }
            results[ObjectIdentifier(queue), default: (queue, [])].1.append((destination, completion))
        }
        if !dryRun { syncQueueFileSystem() }
        for (queue, list) in results.values {
            queue.async { for (destination, completion) in list { completion(destination) } }
        }
    }

    private func perform(_ finished: Finished) -> String? {
        let directory = layout.directory(for: finished.outcome)
        let source = layout.pending(finished.fileName)
        if dryRun {
            logger.info("dry-run: would file post", metadata: ["post": "\(finished.receipt.post)", "outcome": "\(finished.outcome.rawValue)"])
            return directory + "/" + finished.fileName
        }
        do {
            let destination: String
            let alreadyFiled = directory + "/" + finished.fileName
            if finished.fileInQueue, try FileOperations.signature(source) != nil {
                destination = Self.unusedPair(directory: directory, name: finished.fileName, sidecar: "receipt.json")
                try SystemCall.retrying("rename", on: source) { rename(source, destination) }
            } else if try FileOperations.signature(alreadyFiled) != nil {
                // Filed before a crash, receipt not yet written: finish the job.
                destination = alreadyFiled
            } else {
                destination = Self.unusedPair(directory: directory, name: finished.fileName, sidecar: "receipt.json")
            }
            try FileOperations.writeAtomically(finished.receipt.encoded(), to: Self.sidecar(of: destination, "receipt.json"), sync: false)
            return destination
        } catch {
            logger.error("cannot file post", metadata: ["post": "\(finished.receipt.post)", "error": "\(error)"])
            return nil
        }
    }

    private func performReject(name: String, reason: String) -> String? {
        let source = layout.pending(name)
        if dryRun {
            logger.warning("dry-run: would reject file", metadata: ["file": "\(name)", "reason": "\(reason)"])
            return layout.rejected + "/" + name
        }
        do {
            guard try FileOperations.signature(source) != nil else { return nil }
            let destination = Self.unusedPair(directory: layout.rejected, name: name, sidecar: "error.txt")
            try SystemCall.retrying("rename", on: source) { rename(source, destination) }
            let text = reason + "\n\nFix the file and drop it into the queue again.\n"
            try FileOperations.writeAtomically(Data(text.utf8), to: Self.sidecar(of: destination, "error.txt"), sync: false)
            return destination
        } catch {
            logger.error("cannot move rejected file", metadata: ["file": "\(name)", "error": "\(error)"])
            return nil
        }
    }

    /// One `syncfs` makes every rename and receipt of the batch durable.
    private func syncQueueFileSystem() {
        let fd = open(layout.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if ccrier_syncfs(fd) != 0 {
            logger.error("syncfs failed on the queue", metadata: ["error": "\(String(cString: strerror(errno)))"])
        }
    }

    /// `launch.md` → `launch.receipt.json` (the post file's stem and the sidecar's suffix).
    static func sidecar(of path: String, _ suffix: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let stem = PostFileFormat.stem(of: (path as NSString).lastPathComponent)
        return "\(directory)/\(stem).\(suffix)"
    }

    /// A destination in `directory` where neither the file nor its sidecar exists yet.
    static func unusedPair(directory: String, name: String, sidecar suffix: String) -> String {
        let stem = PostFileFormat.stem(of: name)
        let ext = String(name.dropFirst(stem.count))
        var candidate = directory + "/" + name
        var counter = 1
        while ((try? FileOperations.signature(candidate)) ?? nil) != nil
                || ((try? FileOperations.signature(sidecar(of: candidate, suffix))) ?? nil) != nil {
            candidate = "\(directory)/\(stem).\(counter)\(ext)"
            counter += 1
        }
        return candidate
    }
}
