import CrierCore
import CrierTestSupport
import Foundation

/// Stalls the first request to `path` (it never reaches the fake's logic), answers the rest.
final class StallFirst: @unchecked Sendable {
    let path: String
    private var stalled = false
    private let lock = NSLock()

    init(path: String) {
        self.path = path
    }

    func fault(for request: ReceivedHTTPRequest) -> FakeFault? {
        lock.withLock {
            guard !stalled, request.path.hasPrefix(path) else { return nil }
            stalled = true
            return .stall
        }
    }
}
