import CrierCore
import Foundation
import Synchronization

extension Transport {
    /// Sends `request` and blocks until its result, or `timeout` (for commands, never the daemon).
    public func sendAndWait(_ request: OutgoingRequest, timeout: TimeInterval) -> TransportResult {
        let done = DispatchSemaphore(value: 0)
        let slot = AnswerSlot()
        send(request) { answer in
            slot.answer.withLock { $0 = answer }
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success, let answer = slot.answer.withLock({ $0 }) else {
            return .failure(TransportError(kind: .timeout, message: "no answer within \(Int(timeout)) s"))
        }
        return answer
    }
}

private final class AnswerSlot: Sendable {
    let answer = Mutex<TransportResult?>(nil)
}
