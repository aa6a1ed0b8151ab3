import CrierCore
import Foundation

/// One claim for the next step of a delivery (`ClusterCoordinator.claim`): what this node believes
/// the delivery is, and — for a post's first request on a throttled channel — what the channel's
/// limits are, so the store can check them against every node's sends and reserve this one.
public struct SendClaim: Sendable {
    public enum Answer: Sendable, Equatable {
        /// Send it: the claim (and the reservation) is durable.
        case granted
        /// Not now: another node holds this delivery.
        case later(until: Date, reason: String)
        /// Not now, nor anything else on this channel: its limits across all nodes (or its open
        /// breaker) allow the next send at `until` at the earliest.
        case channelLater(until: Date, reason: String)
        /// The delivery is not what this node believes (another node moved it on, or the post was
        /// edited): here is the journal's record (nil: none) and the post's content hash.
        case changed(DeliveryRecord?, contentHash: String?)
        /// The database cannot be reached: try again shortly.
        case unavailable(String)
    }

    /// The first step on a throttled channel: the send to reserve, and the channel's rules.
    public struct Reservation: Sendable {
        public var send: SendRecord
        public var limits: ChannelLimits
        public var duplicates: DuplicateSettings
        public var timeZone: TimeZone
    }

    public var record: DeliveryRecord
    public var contentHash: String
    public var now: Date
    public var reservation: Reservation?
}
