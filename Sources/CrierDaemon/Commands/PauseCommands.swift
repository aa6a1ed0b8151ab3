import CrierCore
import Foundation

/// `crier pause` / `crier resume`: pauses live in the journal (they survive restarts); a touch of
/// `queue/.crier-control` tells a running daemon to re-read them within a second.
public enum PauseCommands {
    /// Pauses `channels` (everything when empty). Returns the scopes paused.
    public static func pause(channels: [String], reason: String?, layout: QueueLayout, now: Date = Date()) throws(DaemonError) -> [String] {
        let scopes = channels.isEmpty ? ["*"] : channels
        let by = CommandActor.current()
        let text = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty ?? "no reason given"
        try write(scopes.map { .pause(PauseRecord(scope: $0, reason: text, pausedBy: by, pausedAt: now)) }
                  + scopes.map { .history(HistoryEvent(at: now, postID: nil, channel: $0 == "*" ? nil : $0, actor: by, action: "paused", detail: text)) },
                  layout: layout)
        return scopes
    }

    /// Lifts the pauses of `channels` (every pause, and `queue/PAUSE`, when empty). Returns what was lifted.
    public static func resume(channels: [String], layout: QueueLayout) throws(DaemonError) -> [String] {
        var lifted: [String] = []
        if channels.isEmpty {
            if FileManager.default.fileExists(atPath: layout.pauseFile) {
                do {
                    try FileManager.default.removeItem(atPath: layout.pauseFile)
                } catch {
                    throw DaemonError("cannot remove \(layout.pauseFile): \(error.localizedDescription)")
                }
                lifted.append("queue/PAUSE")
            }
            let journal = try? JournalStore.open(layout)
            let existing = (try? journal?.pauses().keys.sorted()) ?? []
            let open = ((try? journal?.channelStates()) ?? [:]).filter { $0.value.isOpen }.keys.sorted()
            try write([.resume(scope: "*")] + open.map { .closeBreaker(channel: $0) }
                      + [.history(HistoryEvent(at: Date(), postID: nil, actor: CommandActor.current(), action: "resumed", detail: "everything"))],
                      layout: layout)
            lifted += existing + open.map { "\($0) (circuit breaker)" }
        } else {
            // Resuming a channel also closes its circuit breaker: the operator says it works again.
            try write(channels.flatMap { [.resume(scope: $0), .closeBreaker(channel: $0),
                                          .history(HistoryEvent(at: Date(), postID: nil, channel: $0, actor: CommandActor.current(), action: "resumed"))] },
                      layout: layout)
            lifted += channels
        }
        return lifted
    }

    private static func write(_ changes: [JournalChange], layout: QueueLayout) throws(DaemonError) {
        do {
            try FileOperations.makeDirectory(layout.state, mode: 0o700)
            try JournalStore.open(layout).commitNow(changes)
            try FileOperations.writeAtomically(Data("\(Date().timeIntervalSince1970)\n".utf8), to: layout.controlStamp)
        } catch {
            throw DaemonError("cannot record the pause: \(error)")
        }
    }
}
