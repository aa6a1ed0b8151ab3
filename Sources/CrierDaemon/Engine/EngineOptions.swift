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
    /// A delivery due within this many seconds is started this long ahead, as of its due instant:
    /// admitted against the throttles at that instant, its intent journaled and its request built
    /// and signed, then handed to the transport with `notBefore` = the due instant, which starts it
    /// then. The timer's lateness is then the transport's wake-up alone. 0: started when due (the
    /// preview and dry-runs, whose clock is not the wall clock).
    public var sendLead: TimeInterval = 0
    /// `crier run`'s send lead: long enough for a journal commit and the request's signing on a
    /// busy machine, short enough that a pause or an edit arriving in it is rare (either then
    /// behaves as for a request already in flight).
    public static let liveSendLead: TimeInterval = 0.02

    public init(dryRun: Bool = false, once: Bool = false, onceHorizon: TimeInterval = 5, loadAhead: TimeInterval = 120,
                sendLead: TimeInterval = 0) {
        self.dryRun = dryRun
        self.once = once
        self.onceHorizon = onceHorizon
        self.loadAhead = loadAhead
        self.sendLead = sendLead
    }
}
