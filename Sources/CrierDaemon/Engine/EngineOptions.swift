import Foundation

/// How an engine run behaves (`crier run` flags).
public struct EngineOptions: Sendable {
    /// Everything but the network: a recording transport, an in-memory journal, no file moves.
    public var dryRun: Bool = false
    /// Deliver what is due, then report idle (for `run --once`).
    public var once: Bool = false
    /// With `once`: retries due within this many seconds are waited for.
    public var onceHorizon: TimeInterval = 5
    /// A post none of whose deliveries is due within this many seconds is kept out of memory (only
    /// its schedule stays) and read from its file again half this long before it is due — when a
    /// post loader is set (`DeliveryEngine.setPostLoader`; the daemon sets one, the preview not).
    public var loadAhead: TimeInterval = 120

    public init(dryRun: Bool = false, once: Bool = false, onceHorizon: TimeInterval = 5, loadAhead: TimeInterval = 120) {
        self.dryRun = dryRun
        self.once = once
        self.onceHorizon = onceHorizon
        self.loadAhead = loadAhead
    }
}
