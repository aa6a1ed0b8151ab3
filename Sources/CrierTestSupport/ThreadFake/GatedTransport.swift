import CrierCore
import Foundation
import Synchronization

/// A transport in front of a real one that can hold requests back: held requests are not sent
/// until `release()`, or never — which is how a test stops a daemon dead at a chosen request (a
/// `kill -9` just before it leaves), with everything before it durable.
public final class GatedTransport: Transport {
    private struct Held: Sendable {
        var request: OutgoingRequest
        var completion: @Sendable (TransportResult) -> Void
    }

    private let inner: any Transport
    private let state = Mutex<(predicate: (@Sendable (OutgoingRequest) -> Bool)?, held: [Held])>((nil, []))

    public init(_ inner: any Transport) {
        self.inner = inner
    }

    /// From now on, requests matching `predicate` are held.
    public func hold(where predicate: @escaping @Sendable (OutgoingRequest) -> Bool) {
        state.withLock { $0.predicate = predicate }
    }

    /// How many requests are held.
    public var heldCount: Int { state.withLock { $0.held.count } }

    /// Stops holding and sends what was held.
    public func release() {
        let held = state.withLock { state -> [Held] in
            state.predicate = nil
            defer { state.held.removeAll() }
            return state.held
        }
        for item in held { inner.send(item.request, completion: item.completion) }
    }

    public func send(_ request: OutgoingRequest, completion: @escaping @Sendable (TransportResult) -> Void) {
        let heldBack = state.withLock { state -> Bool in
            guard let predicate = state.predicate, predicate(request) else { return false }
            state.held.append(Held(request: request, completion: completion))
            return true
        }
        if !heldBack { inner.send(request, completion: completion) }
    }

    public func shutdown(graceSeconds: Double) {
        inner.shutdown(graceSeconds: graceSeconds)
    }
}
