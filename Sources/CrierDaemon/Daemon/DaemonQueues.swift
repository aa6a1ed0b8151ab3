import Dispatch

/// The serial Dispatch queues of a running daemon, what each one does and the state it owns. No
/// state is shared between them: they hand work to each other with `async`.
///
/// | queue | job | owns |
/// |---|---|---|
/// | `control` | signals (SIGTERM, SIGINT, SIGHUP), config reloads, pauses and resolutions read from the journal, shutdown | `Daemon.runtime`, `Daemon.stopping` |
/// | `intake` | inotify events, rescans, settling files, reading and parsing post files (`QueueWatcher`, `QueueIntake`) | everything in `QueueIntake` |
/// | `engine` | scheduling, admission, steps, outcomes, filing decisions, the wake-up timer, the systemd heartbeat (`DeliveryEngine`) | every post and delivery in memory, channel gates, pauses in force |
///
/// Outside them: the journal writes on its own queue (`SQLiteJournal`, group commit), the filer
/// moves files on its own (`PostFiler`), and libcurl runs on the transport's thread (`CurlTransport`).
/// Their completions come back on the engine's queue.
public struct DaemonQueues: Sendable {
    public let control = DispatchQueue(label: "crier.control")
    public let intake = DispatchQueue(label: "crier.intake")
    public let engine = DispatchQueue(label: "crier.engine")

    public init() {}
}
