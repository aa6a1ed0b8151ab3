import CrierCore
import Synchronization

/// Holds the result a completion delivered, for tests that call `send` directly.
final class ResultBox: Sendable {
    private let stored = Mutex<TransportResult?>(nil)

    var value: TransportResult? { stored.withLock { $0 } }

    func set(_ result: TransportResult) {
        stored.withLock { $0 = result }
    }
}
