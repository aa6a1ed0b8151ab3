import CrierCore
import Foundation

/// The operator's answer for a delivery held as `unknown`: it reached the platform (`sent`, with
/// the URL they found) or it did not (sent again). Written by `crier resolve`/`crier retry`,
/// applied and deleted by the daemon that owns the delivery (now, or at its next start).
public struct Resolution: Sendable, Equatable {
    public var deliveryID: String
    public var key: DeliveryKey
    public var sent: Bool
    public var remoteURL: String?
    public var resolvedBy: String
    public var resolvedAt: Date

    public init(deliveryID: String, key: DeliveryKey, sent: Bool, remoteURL: String?, resolvedBy: String, resolvedAt: Date) {
        self.deliveryID = deliveryID
        self.key = key
        self.sent = sent
        self.remoteURL = remoteURL
        self.resolvedBy = resolvedBy
        self.resolvedAt = resolvedAt
    }
}
