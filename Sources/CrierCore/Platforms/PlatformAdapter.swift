import Foundation

/// Speaks one platform's API: turns a delivery into an HTTP request and reads the platform's answer.
/// Adapters are pure; the transport does the sending and `AttemptClassifier` the retry decisions.
public protocol PlatformAdapter: Sendable {
    /// Builds the request for one attempt. `now` is the attempt time (for signatures); everything
    /// else must depend only on `context`, so retries are identical but for their timestamp.
    func request(for context: DeliveryContext, now: Date) throws(AdapterError) -> OutgoingRequest

    /// The remote id and URL of what a successful response created, if the platform says.
    func remoteReference(from response: TransportResponse) -> RemoteReference?
}

/// A request that cannot be built (a secret in the wrong shape, say): a permanent failure.
public struct AdapterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The adapter for each platform this build can deliver to.
public enum PlatformAdapters {
    public static func adapter(for platform: Platform) -> (any PlatformAdapter)? {
        switch platform {
        case .webhook: return WebhookAdapter()
        default: return nil
        }
    }
}
