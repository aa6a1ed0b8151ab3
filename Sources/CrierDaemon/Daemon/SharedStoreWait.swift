import CrierCore
import Foundation
import Logging

/// A daemon on `store: postgres` started while the database cannot be reached (the host booted
/// before the database did, a failover under way) waits for it instead of exiting: it logs at error
/// level, says so in its systemd STATUS, asks systemd for more start-up time before each try
/// (`EXTEND_TIMEOUT_USEC`), and tries again after 1, 2, 4, 8 and then every 15 seconds. A
/// database that refuses for good (a wrong password, no such database, a schema to migrate) is
/// not waited for: the daemon exits with the reason, as before. SIGTERM ends the wait (the signal's
/// default action: nothing has started yet).
struct SharedStoreWait {
    let logger: Logger
    let notifier: SystemdNotifier?
    /// Seconds between tries; the last repeats.
    var delays: [TimeInterval] = [1, 2, 4, 8, 15]
    /// False: do not wait at all (`crier run --once`, a one-shot run, not a service).
    var waits = true
    var sleep: (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }

    /// Opens the store, waiting while it is unreachable.
    func open(_ open: () throws(JournalError) -> any Journal) throws(JournalError) -> any Journal {
        let started = Date()
        var attempt = 0
        while true {
            do {
                let journal = try open()
                if attempt > 0 {
                    logger.notice("the shared store answers; starting",
                                  metadata: ["store": "\(journal.path)", "waited": "\(DurationParser.format(Date().timeIntervalSince(started).rounded()))"])
                }
                return journal
            } catch {
                guard error.unreachable, waits else { throw error }
                let delay = delays[min(attempt, delays.count - 1)]
                logger.error("the shared store does not answer; waiting for it before starting (SIGTERM stops the wait)",
                             metadata: ["store": "\(error.path)", "error": "\(error.message)", "retry_in": "\(DurationParser.format(delay))"])
                _ = notifier?.status("SHARED STORE UNREACHABLE: waiting for \(error.path) before starting (\(error.message))")
                _ = notifier?.extendTimeout(seconds: delay + 30)
                sleep(delay)
                attempt += 1
            }
        }
    }
}
