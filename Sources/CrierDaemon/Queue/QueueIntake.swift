import CrierCore
import Foundation
import Logging

/// Picks files up from the queue directory: decides when a file is complete, reads and parses it,
/// and tells the engine (`IntakeEvent`). It never moves files or touches the journal itself.
///
/// A file is read when inotify reports it closed after writing or renamed into place, or when a scan
/// finds it unchanged for `settleTime` with no write in progress — so a plain `cp` into the queue is
/// never read half-written. Unchanged files (same inode, size, mtime) are not read again, nor, after
/// a restart, files the journal read before (`seed`).
///
/// The periodic safety-net rescan (`periodicRescan`) costs next to nothing when nothing changed: it
/// lists the directory only when the directory itself changed (a file created, renamed or deleted —
/// what inotify should have told), and `lstat`s every known file only once an hour (an in-place edit
/// inotify missed, on a file system that does not report it). A full scan (`rescan`) runs at start,
/// on SIGHUP and when inotify overflows.
public final class QueueIntake: @unchecked Sendable {
    // Confinement: every member is used only on `queue`.
    private let layout: QueueLayout
    private let queue: DispatchQueue
    private let logger: Logger
    private let sink: @Sendable ([IntakeEvent]) -> Void
    private var config: CrierConfig
    private var settleTime: TimeInterval
    /// The signature each name had when last handed to the engine.
    private var known: [String: FileSignature] = [:]
    /// Names with a write in progress (created or modified, not yet closed).
    private var writing: Set<String> = []
    private var recheckScheduled: Set<String> = []
    /// The queue directory's own signature when it was last listed, and when that was.
    private var listedDirectory: (signature: FileSignature, at: TimeInterval)?
    /// When the periodic rescan next `lstat`s every known file.
    private var nextDeepScan: TimeInterval = Date().timeIntervalSince1970 + QueueIntake.deepScanInterval
    /// How often the periodic rescan looks at every known file (in-place edits inotify missed).
    public static let deepScanInterval: TimeInterval = 3600
    /// Extra post files read from elsewhere as if they were in the queue (the preview's PATH
    /// arguments): queue name → path. Their media are resolved beside them.
    private let overlay: [String: String]
    /// Derives each post's images for its channels' platforms as the post is read (set by the
    /// daemon; the preview derives its own), so no image is made in the send path.
    public var mediaPreparer: DerivedMediaSource?
    /// Keep each post's bytes for a store shared by several daemons (`PostLoader.keepsSource`).
    public var keepsSource = false

    public init(layout: QueueLayout, queue: DispatchQueue, config: CrierConfig, logger: Logger,
                overlay: [String: String] = [:], sink: @escaping @Sendable ([IntakeEvent]) -> Void) {
        self.overlay = overlay
        self.layout = layout
        self.queue = queue
        self.config = config
        self.settleTime = config.delivery.settleTime
        self.logger = logger
        self.sink = sink
    }

    /// Uses a new config from now on (call on `queue`). Files are re-validated on the next scan.
    public func update(config: CrierConfig) {
        self.config = config
        settleTime = config.delivery.settleTime
        known.removeAll()
    }

    /// Files the journal has already read, with the signature each had then (call on `queue`, before
    /// the first scan): a scan reads them again only if they changed since.
    public func seed(_ signatures: [String: FileSignature]) {
        if known.isEmpty {
            known = signatures
        } else {
            known.merge(signatures) { current, _ in current }
        }
    }

    /// The engine is moving `name` out of the queue (filed or rejected): its disappearance is not news.
    public func forget(_ name: String) {
        known[name] = nil
        writing.remove(name)
    }

    /// Handles a batch of inotify events (call on `queue`).
    public func handle(_ events: [QueueWatcher.Event]) {
        var out: [IntakeEvent] = []
        var needsRescan = false
        for event in events {
            switch event {
            case .completed(let name):
                guard QueueFileName.isPostCandidate(name) else { continue }
                writing.remove(name)
                if let result = examine(name, trustComplete: true) { out.append(result) }
            case .writing(let name):
                guard QueueFileName.isPostCandidate(name) else { continue }
                writing.insert(name)
            case .removed(let name):
                guard QueueFileName.isPostCandidate(name), known[name] != nil || writing.contains(name) else { continue }
                writing.remove(name)
                // Editors save by renaming the old file away and writing a new one: wait a moment
                // before calling the file gone.
                scheduleRecheck(name, after: settleTime)
            case .rescanNeeded:
                needsRescan = true
            }
        }
        if !out.isEmpty { emit(out) }
        if needsRescan { rescan() }
    }

    /// Lists the whole directory and examines every post file (call on `queue`).
    public func rescan() {
        scan(examiningKnown: true)
    }

    /// The safety net behind inotify (call on `queue`, every `rescan:`): nothing when the directory
    /// is unchanged since it was last listed; new and vanished names when it changed; every file once
    /// an hour.
    public func periodicRescan() {
        let now = Date().timeIntervalSince1970
        if now >= nextDeepScan {
            nextDeepScan = now + Self.deepScanInterval
            return scan(examiningKnown: true)
        }
        guard let listed = listedDirectory, overlay.isEmpty,
              let current = (try? FileOperations.signature(layout.root)) ?? nil, current == listed.signature,
              // A change in the same clock tick as the listing (file times move in ticks of a few
              // milliseconds) might not show in the mtime: trust only a listing made well after it.
              listed.at - current.modifiedSeconds > 0.1 else {
            return scan(examiningKnown: false)
        }
    }

    /// Lists the directory, reads new and (if `examiningKnown`) changed post files, and reports the
    /// ones that went. A full scan ends with `.scanned`.
    private func scan(examiningKnown: Bool) {
        var listed: [String] = []
        let directory = (try? FileOperations.signature(layout.root)) ?? nil
        let listedAt = Date().timeIntervalSince1970
        do {
            listed = try FileOperations.listDirectory(layout.root)
            listedDirectory = directory.map { ($0, listedAt) }
        } catch {
            // The preview of files named on the command line plans them without a queue, if need be.
            if overlay.isEmpty {
                logger.error("cannot list the queue directory", metadata: ["queue": "\(layout.root)", "error": "\(error)"])
                return
            }
        }
        var present = Set(listed.lazy.filter(QueueFileName.isPostCandidate))
        present.formUnion(overlay.keys.filter(QueueFileName.isPostCandidate))
        // Sorted, so posts are planned in the same order by the daemon and by the preview.
        let candidates = (examiningKnown ? Array(present) : present.filter { known[$0] == nil && !writing.contains($0) }).sorted()
        // Hand over in chunks, so sending starts while a large queue is still being read.
        for start in stride(from: 0, to: candidates.count, by: 256) {
            let chunk = candidates[start..<min(start + 256, candidates.count)]
            let reads = chunk.compactMap { name -> PendingRead? in
                // A file never handed over and not being written is read without an `lstat` first:
                // the read's own `fstat` says whether it has settled (a first pick-up of 100,000
                // files saves as many system calls on this queue).
                if known[name] == nil, !writing.contains(name), overlay[name] == nil {
                    return PendingRead(name: name, path: layout.pending(name), signature: nil)
                }
                return readDecision(name, trustComplete: false)
            }
            let results = readAndParseConcurrently(reads)
            var out: [IntakeEvent] = []
            for (read, result) in zip(reads, results) {
                if let delay = result.recheckAfter {
                    scheduleRecheck(read.name, after: delay)
                    continue
                }
                if result.needsDecision {
                    // It could not be read unchecked (a symlink, not a regular file, no permission):
                    // the usual way decides, with its usual event.
                    if let event = examine(read.name, trustComplete: false) { out.append(event) }
                    continue
                }
                if let signature = result.signature { known[read.name] = signature }
                if let event = result.event { out.append(event) }
            }
            if !out.isEmpty { emit(out) }
        }
        var out: [IntakeEvent] = []
        for name in known.keys where !present.contains(name) {
            known[name] = nil
            out.append(.gone(name: name))
        }
        if examiningKnown { out.append(.scanned(present: present)) }
        if !out.isEmpty || examiningKnown { emit(out) }
    }

    /// A file to read: its queue name, where it is, and what `lstat` said before reading (nil: not
    /// looked at yet, a new file of a scan; it is read only if it has settled).
    private struct PendingRead: Sendable {
        var name: String
        var path: String
        var signature: FileSignature?
    }

    /// What reading a file gave: the signature to remember it by (nil: forget nothing, e.g. it
    /// vanished) and the event for the engine (nil: nothing to report). A file read unchecked may
    /// instead turn out to be still settling (`recheckAfter`: look again then), or to need the
    /// checked way (`needsDecision`: it could not be read as a regular file).
    private struct ReadResult: Sendable {
        var signature: FileSignature?
        var event: IntakeEvent?
        var recheckAfter: TimeInterval?
        var needsDecision = false
    }

    /// Reads and parses `name` if it is complete and changed; nil when there is nothing to report yet.
    private func examine(_ name: String, trustComplete: Bool) -> IntakeEvent? {
        guard let read = readDecision(name, trustComplete: trustComplete) else { return nil }
        let result = Self.readAndParse(read, config: config, root: root(for: name), loader: loader, settleTime: settleTime)
        if let signature = result.signature { known[name] = signature }
        return result.event
    }

    /// Whether `name` should be read now (call on `queue`): it exists, changed since it was last
    /// handed over, and is complete; otherwise a later look is scheduled if it may still be written.
    private func readDecision(_ name: String, trustComplete: Bool) -> PendingRead? {
        let path = overlay[name] ?? layout.pending(name)
        let signature: FileSignature
        do {
            guard let found = try FileOperations.signature(path) else { return nil }
            signature = found
        } catch {
            logger.error("cannot stat queue file", metadata: ["file": "\(name)", "error": "\(error)"])
            return nil
        }
        if known[name] == signature { return nil }
        if !trustComplete {
            let age = Date().timeIntervalSince1970 - signature.modifiedSeconds
            if writing.contains(name) || age < settleTime {
                scheduleRecheck(name, after: max(settleTime - age, 0.05))
                return nil
            }
        }
        return PendingRead(name: name, path: path, signature: signature)
    }

    private var loader: PostLoader {
        var loader = PostLoader(layout: layout, preparer: mediaPreparer, logger: logger)
        loader.keepsSource = keepsSource
        return loader
    }

    /// Where a post's media are resolved: beside a PATH file, else in the queue.
    private func root(for name: String) -> String {
        overlay[name].map { ($0 as NSString).deletingLastPathComponent } ?? layout.root
    }

    /// Reads and parses `reads` on all cores (a scan of a large queue is mostly parsing), in order.
    private func readAndParseConcurrently(_ reads: [PendingRead]) -> [ReadResult] {
        let config = self.config
        let loader = self.loader
        let settleTime = self.settleTime
        guard reads.count > 1 else {
            return reads.map { Self.readAndParse($0, config: config, root: root(for: $0.name), loader: loader, settleTime: settleTime) }
        }
        let roots = reads.map { root(for: $0.name) }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, reads.count)
        return [ReadResult](unsafeUninitializedCapacity: reads.count) { buffer, initialized in
            // Each index is written by exactly one worker, and all are done when `concurrentPerform`
            // returns.
            nonisolated(unsafe) let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for index in stride(from: worker, to: reads.count, by: workers) {
                    (base + index).initialize(to: Self.readAndParse(reads[index], config: config, root: roots[index], loader: loader,
                                                                    settleTime: settleTime))
                }
            }
            initialized = reads.count
        }
    }

    /// Reads one file and parses it into a post (touches no member: runs on any thread). A file not
    /// looked at yet is parsed only if it changed at least `settleTime` ago.
    private static func readAndParse(_ read: PendingRead, config: CrierConfig, root: String, loader: PostLoader,
                                     settleTime: TimeInterval) -> ReadResult {
        guard read.signature == nil else {
            let (signature, event) = loader.readKeepingSignature(name: read.name, path: read.path, fallback: read.signature, config: config,
                                                                 root: root)
            return ReadResult(signature: signature, event: event)
        }
        let data: Data
        let signature: FileSignature
        do {
            (data, signature) = try FileOperations.readRegularFile(read.path, maxSize: PostParser.maximumFileSize)
        } catch {
            if error == .missing { return ReadResult() }
            return ReadResult(needsDecision: true)
        }
        let age = Date().timeIntervalSince1970 - signature.modifiedSeconds
        if age < settleTime { return ReadResult(recheckAfter: max(settleTime - age, 0.05)) }
        return ReadResult(signature: signature, event: loader.parse(data, name: read.name, config: config, root: root, signature: signature))
    }

    private func scheduleRecheck(_ name: String, after delay: TimeInterval) {
        guard recheckScheduled.insert(name).inserted else { return }
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            self.recheckScheduled.remove(name)
            let exists = ((try? FileOperations.signature(self.layout.pending(name))) ?? nil) != nil
            if !exists {
                self.emit(self.known.removeValue(forKey: name) != nil ? [.gone(name: name)] : [])
                return
            }
            self.emit(self.examine(name, trustComplete: false).map { [$0] } ?? [])
        }
    }

    private func emit(_ events: [IntakeEvent]) {
        sink(events + [.settling(recheckScheduled.count + writing.count)])
    }
}
