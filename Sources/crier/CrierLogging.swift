import CrierDaemon
import Foundation
import Logging

/// The one place logging is set up (only `main`'s commands bootstrap it; libraries take a `Logger`).
enum CrierLogging {
    static func bootstrap(level: Logger.Level) -> Logger {
        let journald = ProcessInfo.processInfo.environment["JOURNAL_STREAM"].map { !$0.isEmpty } ?? false
        LoggingSystem.bootstrap { label in CrierLogHandler(label: label, level: level, journald: journald) }
        return Logger(label: "crier")
    }
}
