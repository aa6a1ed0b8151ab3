/// Where a delivery stands. `pending` is the only state that leads anywhere; the rest are final and
/// are what receipts report.
public enum DeliveryStatus: String, Sendable, Equatable, Codable, CaseIterable {
    case pending, sent, failed, expired, cancelled

    public var isFinal: Bool { self != .pending }
}
