import CCrierLinux
import CCurl
import CrierCore
import Dispatch
import Foundation

/// The transfer thread of a `CurlTransport`: runs the `curl_multi_poll` loop over one multi handle,
/// starts queued requests as slots free up and calls completions.
///
/// Confinement (hence `@unchecked Sendable`): `inbox` is shared and guarded by `inboxLock` (an
/// `NSLock` rather than `Mutex`, which ThreadSanitizer cannot see through); `multi.wakeUp()` is
/// thread-safe in libcurl and only called under `wakeLock`, which orders it before the multi
/// handle's cleanup. (It used to be called under `inboxLock`: the woken transfer thread then went
/// straight into that lock while the sender still held it, a futex round trip on every due send.) Every other property (easy handles, waiting queue, running
/// list, handle pool) is touched only on the transfer thread.
final class CurlTransferLoop: @unchecked Sendable {
    /// A request and the caller waiting for its result.
    struct PendingTransfer: Sendable {
        var request: OutgoingRequest
        var completion: @Sendable (TransportResult) -> Void
    }

    /// What other threads hand to the transfer thread.
    private struct Inbox {
        var submitted: [PendingTransfer] = []
        var isAccepting = true
        var shutdownDeadline: ContinuousClock.Instant?
        var transferThread: pthread_t?
    }

    private static let idlePollMilliseconds: Int32 = 1000

    private let inboxLock = NSLock()
    private var inbox = Inbox() // guarded by inboxLock
    private let wakeLock = NSLock()
    private var multiCleanedUp = false // guarded by wakeLock
    private let finished = DispatchSemaphore(value: 0)
    private let multi: CurlMultiHandle
    private let options: TransportOptions
    private let maxConcurrentTransfers: Int

    // Transfer thread only.
    private var waiting = FIFOQueue<PendingTransfer>()
    /// Requests that may not start yet (`OutgoingRequest.notBefore`), earliest first; few at a time
    /// (the engine hands a request over a few milliseconds before it is due).
    private var held: [PendingTransfer] = []
    /// Wakes the poll at the earliest held request's instant, to the nanosecond on the wall clock
    /// (`curl_multi_poll`'s timeout is in whole milliseconds); -1 if it could not be made (the poll
    /// timeout, rounded up, then stands in).
    private let startTimer: Int32
    private var startTimerArmedAt: Date?
    private var drainedBatch: [PendingTransfer] = []
    private var running: [CurlEasyHandle] = []
    private var idleHandles: [CurlEasyHandle] = []

    init(options: TransportOptions) throws(TransportError) {
        CurlGlobal.ensureInitialized()
        self.options = options
        maxConcurrentTransfers = max(1, options.maxConcurrentTransfers)
        multi = try CurlMultiHandle(maxConnections: maxConcurrentTransfers)
        startTimer = ccrier_timerfd_create()
    }

    deinit {
        if startTimer >= 0 { close(startTimer) }
    }

    /// Queues `pending`, or completes it with `.cancelled` at once after shutdown began.
    func submit(_ pending: PendingTransfer) {
        let (accepted, wake) = inboxLock.withLock {
            guard inbox.isAccepting else { return (false, false) }
            inbox.submitted.append(pending)
            // The first request since the last drain wakes the loop; later ones ride on that wake-up.
            return (true, inbox.submitted.count == 1)
        }
        if wake { wakeUpLoop() }
        if !accepted {
            pending.completion(.failure(TransportError(kind: .cancelled, message: "the transport is shut down")))
        }
    }

    /// Stops accepting, cancels queued requests, lets running transfers finish until the grace
    /// deadline, then cancels the rest. Blocks until the loop ended, except on the transfer thread
    /// itself (from a completion), where it only requests the shutdown. Repeated calls wait for the
    /// same shutdown; the earliest deadline wins.
    func shutdown(graceSeconds: Double) {
        let grace = graceSeconds.isNaN ? 0 : min(max(graceSeconds, 0), 365 * 86_400)
        let deadline = ContinuousClock.now.advanced(by: .seconds(grace))
        let isTransferThread = inboxLock.withLock {
            inbox.isAccepting = false
            inbox.shutdownDeadline = min(inbox.shutdownDeadline ?? deadline, deadline)
            return inbox.transferThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        }
        wakeUpLoop()
        guard !isTransferThread else { return }
        finished.wait()
        finished.signal() // let every other waiter through too
    }

    /// The transfer thread's body; returns after shutdown with every handle cleaned up.
    func run() {
        inboxLock.withLock { inbox.transferThread = pthread_self() }
        while true {
            let shutdownDeadline = drainInbox()
            if let shutdownDeadline {
                cancelWaitingTransfers()
                if running.isEmpty || ContinuousClock.now >= shutdownDeadline { break }
            }
            // Requests start in the same turn they arrive or a slot frees up: perform right after
            // adding them (their requests go out now), not one poll later — a poll round trip per
            // start was timer lateness for a due post and idle time at full load.
            if shutdownDeadline == nil {
                releaseHeldTransfers()
                _ = startWaitingTransfers()
            }
            var started: Bool
            repeat {
                let performCode = multi.perform()
                if performCode != CURLM_OK {
                    failRunningTransfers(CurlErrorMapping.error(multiCode: performCode, call: "curl_multi_perform"))
                }
                completeFinishedTransfers()
                started = shutdownDeadline == nil && startWaitingTransfers()
            } while started
            let pollCode = pollUntilWorkOrHeldStart(shutdownDeadline: shutdownDeadline)
            if pollCode != CURLM_OK {
                failRunningTransfers(CurlErrorMapping.error(multiCode: pollCode, call: "curl_multi_poll"))
            }
        }
        failRunningTransfers(TransportError(kind: .cancelled,
                                            message: "the transport shut down before the transfer finished"))
        idleHandles.removeAll()
        wakeLock.withLock {
            multiCleanedUp = true // no wake-ups from here on
            multi.cleanUp()
        }
        finished.signal()
    }

    /// Makes the loop's current or next poll return at once; a no-op once the multi handle is gone.
    private func wakeUpLoop() {
        wakeLock.withLock {
            if !multiCleanedUp { multi.wakeUp() }
        }
    }

    /// Moves newly submitted requests to the waiting queue; returns the shutdown deadline, if any.
    private func drainInbox() -> ContinuousClock.Instant? {
        let deadline = inboxLock.withLock {
            swap(&inbox.submitted, &drainedBatch)
            return inbox.shutdownDeadline
        }
        if !drainedBatch.isEmpty {
            let now = Date()
            for pending in drainedBatch {
                if let notBefore = pending.request.notBefore, notBefore > now {
                    hold(pending, until: notBefore)
                } else {
                    waiting.append(pending)
                }
            }
        }
        drainedBatch.removeAll(keepingCapacity: true)
        return deadline
    }

    /// Keeps `pending` until `instant`, in order of instants (first come first among equals).
    private func hold(_ pending: PendingTransfer, until instant: Date) {
        var index = held.count
        while index > 0, held[index - 1].request.notBefore! > instant { index -= 1 }
        held.insert(pending, at: index)
    }

    /// Queues the held requests whose instant has come, earliest first.
    private func releaseHeldTransfers() {
        guard !held.isEmpty else { return }
        let now = Date()
        var released = 0
        while released < held.count, held[released].request.notBefore! <= now {
            waiting.append(held[released])
            released += 1
        }
        if released > 0 { held.removeFirst(released) }
    }

    /// Polls until a transfer's socket or curl's timer needs attention, a wake-up, or the earliest
    /// held request's instant (through the timerfd, to the nanosecond).
    private func pollUntilWorkOrHeldStart(shutdownDeadline: ContinuousClock.Instant?) -> CURLMcode {
        var timeout = pollTimeout(until: shutdownDeadline)
        guard shutdownDeadline == nil, let next = held.first?.request.notBefore else {
            return multi.poll(timeoutMilliseconds: timeout)
        }
        // Rounded up: the fallback never wakes early, and the timerfd wakes it on time.
        let milliseconds = (next.timeIntervalSinceNow * 1000).rounded(.up)
        timeout = Int32(max(0, min(Double(timeout), milliseconds)))
        guard startTimer >= 0 else { return multi.poll(timeoutMilliseconds: timeout) }
        if startTimerArmedAt != next {
            let seconds = next.timeIntervalSince1970.rounded(.down)
            let nanoseconds = min(999_999_999, max(0, Int((next.timeIntervalSince1970 - seconds) * 1e9)))
            startTimerArmedAt = nil
            guard ccrier_timerfd_arm(startTimer, Int64(seconds), nanoseconds) == 0 else {
                return multi.poll(timeoutMilliseconds: timeout)
            }
            startTimerArmedAt = next
        }
        var wait = curl_waitfd(fd: startTimer, events: Int16(POLLIN), revents: 0)
        let code = multi.poll(extra: &wait, timeoutMilliseconds: timeout)
        if wait.revents != 0 {
            var expirations: UInt64 = 0
            _ = read(startTimer, &expirations, MemoryLayout<UInt64>.size) // non-blocking: clears the readiness
            startTimerArmedAt = nil
        }
        return code
    }

    /// Starts queued requests while there is room; returns whether it started any.
    private func startWaitingTransfers() -> Bool {
        var startedAny = false
        while running.count < maxConcurrentTransfers, let pending = waiting.popFirst() {
            start(pending)
            startedAny = true
        }
        return startedAny
    }

    private func start(_ pending: PendingTransfer) {
        guard let easy = idleHandles.popLast() ?? CurlEasyHandle() else {
            pending.completion(.failure(TransportError(kind: .network, message: "curl_easy_init failed")))
            return
        }
        do {
            try easy.prepare(for: pending.request, options: options)
        } catch {
            easy.resetBeforeNextUse()
            idleHandles.append(easy)
            pending.completion(.failure(error))
            return
        }
        let addCode = multi.add(easy)
        guard addCode == CURLM_OK else {
            easy.resetBeforeNextUse()
            idleHandles.append(easy)
            pending.completion(.failure(CurlErrorMapping.error(multiCode: addCode, call: "curl_multi_add_handle")))
            return
        }
        easy.completion = pending.completion
        easy.activeIndex = running.count
        running.append(easy)
    }

    private func completeFinishedTransfers() {
        while let (rawEasy, code) = multi.nextFinishedTransfer() {
            guard let easy = CurlEasyHandle.owner(of: rawEasy) else { continue }
            let result: TransportResult = code == CURLE_OK ? .success(easy.takeResponse()) : .failure(easy.error(for: code))
            finish(easy, with: result)
        }
    }

    private func failRunningTransfers(_ error: TransportError) {
        while let easy = running.last {
            var error = error
            error.requestSent = easy.requestMayHaveBeenSent
            finish(easy, with: .failure(error))
        }
    }

    /// Detaches `easy`, returns it to the pool and calls its completion.
    private func finish(_ easy: CurlEasyHandle, with result: TransportResult) {
        multi.remove(easy)
        if case .failure = result { easy.resetBeforeNextUse() }
        let last = running.removeLast()
        if last !== easy {
            last.activeIndex = easy.activeIndex
            running[easy.activeIndex] = last
        }
        let completion = easy.completion
        easy.completion = nil
        idleHandles.append(easy)
        completion?(result)
    }

    private func cancelWaitingTransfers() {
        for pending in held { waiting.append(pending) }
        held.removeAll()
        while let pending = waiting.popFirst() {
            pending.completion(.failure(TransportError(kind: .cancelled,
                                                       message: "the transport shut down before the transfer started")))
        }
    }

    private func pollTimeout(until deadline: ContinuousClock.Instant?) -> Int32 {
        guard let deadline else { return Self.idlePollMilliseconds }
        let remaining = ContinuousClock.now.duration(to: deadline).components
        let milliseconds = remaining.seconds * 1000 + remaining.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: max(0, min(milliseconds, Int64(Self.idlePollMilliseconds))))
    }
}
