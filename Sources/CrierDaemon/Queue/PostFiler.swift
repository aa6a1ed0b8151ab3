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
    private var jobs: [(job: Job, callerQueue: DispatchQueue, completion: @Sendable (String?) -> Void)] = []
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
        for (job, callerQueue, completion) in batch {
            let destination: String?
            switch job {
            case .finish(let finished): destination = perform(finished)
            case .reject(let name, let reason): destination = performReject(name: name, reason: reason)
            }
            results[ObjectIdentifier(callerQueue), default: (callerQueue, [])].1.append((destination, completion))
        }
        if !dryRun { syncQueueFileSystem() }
        for (callerQueue, list) in results.values {
            callerQueue.async { for (destination, completion) in list { completion(destination) } }
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
            let receipt = ReceiptJSON.encoded(finished.receipt)
            if finished.fileInQueue, let destination = try fileDirectly(source: source, directory: directory, name: finished.fileName,
                                                                          receipt: receipt) {
                return destination
            }
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
            try FileOperations.writeAtomically(receipt, to: Self.sidecar(of: destination, "receipt.json"), sync: false)
            return destination
        } catch {
            logger.error("cannot file post", metadata: ["post": "\(finished.receipt.post)", "error": "\(error)"])
            return nil
        }
    }

    /// The usual case in four system calls instead of nine: no receipt of that name yet (one
    /// `lstat`), the post moves under its own name without replacing anything
    /// (`renameat2(RENAME_NOREPLACE)`), and its receipt is created in place (`O_EXCL`) rather than
    /// as a temporary file renamed over. Durability is the batch's `syncfs`, as before. A crash
    /// halfway through the receipt leaves the post filed beside a short receipt, which the restart
    /// rewrites whole, as it writes a missing one (the "filed before a crash" case in `perform`).
    /// Nil when anything is unusual (a name taken, the file gone, a file system without
    /// `RENAME_NOREPLACE`): the careful path then decides, exactly as it always did.
    private func fileDirectly(source: String, directory: String, name: String, receipt: Data) throws(SystemError) -> String? {
        let destination = directory + "/" + name
        let receiptPath = directory + "/" + PostFileFormat.stem(of: name) + ".receipt.json"
        var info = stat()
        guard lstat(receiptPath, &info) != 0, errno == ENOENT else { return nil }
        guard ccrier_rename_noreplace(source, destination) == 0 else { return nil }
        let fd = open(receiptPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, Self.receiptMode)
        guard fd >= 0 else {
            let code = errno
            // Any other failure (a full disk, no descriptors left): the post stays filed under its
            // name without a receipt, which the next attempt writes ("filed before a crash").
            guard code == EEXIST else { throw SystemError(call: "open", path: receiptPath, errno: code) }
            // Someone made a receipt of that name since the check: move on to the next free pair.
            let moved = Self.unusedPair(directory: directory, name: name, sidecar: "receipt.json")
            try SystemCall.retrying("rename", on: destination) { rename(destination, moved) }
            try FileOperations.writeAtomically(receipt, to: Self.sidecar(of: moved, "receipt.json"), sync: false)
            return moved
        }
        do throws(SystemError) {
            if Self.umaskNarrowsReceipts { try SystemCall.retrying("fchmod", on: receiptPath) { fchmod(fd, Self.receiptMode) } }
            var offset = 0
            while offset < receipt.count {
                let count = try SystemCall.retrying("write", on: receiptPath) {
                    receipt.withUnsafeBytes { buffer in write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
                }
                offset += count
            }
        } catch {
            close(fd)
            unlink(receiptPath)
            throw error
        }
        if close(fd) != 0 {
            let code = errno
            unlink(receiptPath)
            throw SystemError(call: "close", path: receiptPath, errno: code)
        }
        return destination
    }

    /// Receipts are group-readable whatever the umask (as `FileOperations.writeAtomically` makes them).
    private static let receiptMode: mode_t = 0o660

    /// Whether the process umask takes bits off `receiptMode` (then each receipt needs an `fchmod`).
    /// Read from /proc (setting the umask to read it would race the other threads' file creations);
    /// when it cannot be read, assume it does.
    private static let umaskNarrowsReceipts: Bool = {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
              let mask = mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) else { return true }
        return mask & receiptMode != 0
    }()

    private func performReject(name: String, reason: String) -> String? {
        let source = layout.pending(name)
        if dryRun {
            logger.warning("dry-run: would reject file", metadata: ["file": "\(name)", "reason": "\(reason)"])
            return layout.rejected + "/" + name
        }
        do {
            guard try FileOperations.signature(source) != nil else { return nil }
            // The reason first, durably, then the move: a kill between the two leaves the file in
            // the queue (rejected again on restart, into the same pair: an error.txt without its
            // file is reused), never a rejected file without its reason.
            let destination = Self.unusedPair(directory: layout.rejected, name: name, sidecar: "error.txt", reusingOrphanSidecar: true)
            let text = reason + "\n\nFix the file and drop it into the queue again.\n"
            try FileOperations.writeAtomically(Data(text.utf8), to: Self.sidecar(of: destination, "error.txt"), sync: true)
            try SystemCall.retrying("rename", on: source) { rename(source, destination) }
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
    static func unusedPair(directory: String, name: String, sidecar suffix: String, reusingOrphanSidecar: Bool = false) -> String {
        let stem = PostFileFormat.stem(of: name)
        let ext = String(name.dropFirst(stem.count))
        var candidate = directory + "/" + name
        var counter = 1
        while ((try? FileOperations.signature(candidate)) ?? nil) != nil
                || (!reusingOrphanSidecar && ((try? FileOperations.signature(sidecar(of: candidate, suffix))) ?? nil) != nil) {
            candidate = "\(directory)/\(stem).\(counter)\(ext)"
            counter += 1
        }
        return candidate
    }
}

/// A receipt as JSON, byte for byte what `Receipt.encoded()` (JSONEncoder: pretty-printed, sorted
/// keys, slashes unescaped) writes, without the encoder: that was a twelfth of the daemon's CPU when
/// filing 10,000 posts. Any string that would need escaping, and a receipt without deliveries, go
/// through `Receipt.encoded()` itself, so the output never differs (ReceiptJSONTests compare).
enum ReceiptJSON {
    static func encoded(_ receipt: Receipt) -> Data {
        fast(receipt) ?? receipt.encoded()
    }

    static func fast(_ receipt: Receipt) -> Data? {
        guard !receipt.deliveries.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(256 + 320 * receipt.deliveries.count)
        func raw(_ text: StaticString) {
            text.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        func string(_ value: String) -> Bool {
            var value = value
            return value.withUTF8 { bytes in
                guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: bytes)
                out.append(UInt8(ascii: "\""))
                return true
            }
        }
        func optional(_ value: String?) -> Bool {
            guard let value else { raw("null"); return true }
            return string(value)
        }
        func integer(_ value: Int?) {
            guard let value else { return raw("null") }
            out.append(contentsOf: String(value).utf8)
        }
        raw("{\n  \"deliveries\" : [\n")
        for (index, delivery) in receipt.deliveries.enumerated() {
            raw("    {\n")
            if let approvedBy = delivery.approvedBy {
                raw("      \"approved_by\" : "); guard string(approvedBy) else { return nil }; raw(",\n")
            }
            raw("      \"at\" : "); guard optional(delivery.at) else { return nil }
            raw(",\n      \"attempts\" : "); integer(delivery.attempts)
            raw(",\n      \"channel\" : "); guard string(delivery.channel) else { return nil }
            raw(",\n      \"error\" : "); guard optional(delivery.error) else { return nil }
            raw(",\n      \"http_status\" : "); integer(delivery.httpStatus)
            raw(",\n      \"id\" : "); guard string(delivery.id) else { return nil }
            raw(",\n      \"part\" : "); integer(delivery.part)
            raw(",\n      \"remote_id\" : "); guard optional(delivery.remoteID) else { return nil }
            raw(",\n      \"remote_url\" : "); guard optional(delivery.remoteURL) else { return nil }
            raw(",\n      \"status\" : "); guard string(delivery.status.rawValue) else { return nil }
            raw(index == receipt.deliveries.count - 1 ? "\n    }\n" : "\n    },\n")
        }
        raw("  ],\n  \"file\" : "); guard string(receipt.file) else { return nil }
        raw(",\n  \"outcome\" : "); guard string(receipt.outcome.rawValue) else { return nil }
        raw(",\n  \"post\" : "); guard string(receipt.post) else { return nil }
        raw(",\n  \"queued_by\" : "); guard optional(receipt.queuedBy) else { return nil }
        raw("\n}\n")
        return Data(out)
    }
}
