import Foundation

/// Where "now" comes from. The daemon uses the system clock; tests use a manual one.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
