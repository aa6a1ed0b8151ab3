import Foundation

/// How an engine run behaves (`crier run` flags).
public struct EngineOptions: Sendable {
    /// Everything but the network: a recording transport, an in-memory journal, no file moves.
    public var dryRun: Bool = false
    /// Deliver what is due, then report idle (for `run --once`).
    public var once: Bool = false
    /// With `once`: retries due within this many seconds are waited for.
    public var onceHorizon: TimeInterval = 5

    public init(dryRun: Bool = false, once: Bool = false, onceHorizon: TimeInterval = 5) {
        self.dryRun = dryRun
        self.once = once
        self.onceHorizon = onceHorizon
    }
}
