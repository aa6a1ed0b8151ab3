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
/// Outside them, each owning only its own state:
///
/// | queue or thread | job |
/// |---|---|
/// | `crier.journal.writer` / `crier.journal.postgres-writer` (`JournalWriter`) | the journal's group commits |
/// | `crier.filer` (`PostFiler`) | moving finished posts, writing receipts, one `syncfs` per batch |
/// | `crier-curl-transfers` thread (`CurlTransport`) | libcurl's multi loop: every transfer, held requests started at their instant |
/// | `crier.cluster.heartbeat` (`PostgresCluster`, `store: postgres` only) | renewing this node's leases |
/// | the LISTEN thread (`PostgresCluster`) | waiting on PostgreSQL's NOTIFY for pauses and new posts |
/// | a global queue at shutdown (`Daemon.stop`) | waiting for the drain, so a stuck intake cannot hold up the exit |
///
/// Their results come back on the engine's (or the control) queue with `async`.
public struct DaemonQueues: Sendable {
    public let control = DispatchQueue(label: "crier.control")
    public let intake = DispatchQueue(label: "crier.intake")
    public let engine = DispatchQueue(label: "crier.engine")

    public init() {}
}
