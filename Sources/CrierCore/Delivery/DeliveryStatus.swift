/// Where a delivery stands. `pending` leads on to an attempt; `unknown` waits for the operator (a
/// request that is not safe to repeat went out and its answer never came back: `crier resolve` or
/// `crier retry` decide); the rest are final and are what receipts report.
public enum DeliveryStatus: String, Sendable, Equatable, Codable, CaseIterable {
    case pending, sent, failed, expired, cancelled, unknown

    public var isFinal: Bool { self != .pending && self != .unknown }
}
