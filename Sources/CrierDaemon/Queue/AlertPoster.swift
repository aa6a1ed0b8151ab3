import CrierCore
import Foundation
import Logging

/// Tells the `alerts` channel about permanent failures and paused channels by dropping an ordinary
/// post into the queue: alerts get the same journal, retries and receipts as everything else.
public struct AlertPoster: Sendable {
    public static let idPrefix = "crier-alert-"
    let layout: QueueLayout
    let channel: String?
    let dryRun: Bool
    let logger: Logger

    public init(layout: QueueLayout, channel: String?, dryRun: Bool, logger: Logger) {
        self.layout = layout
        self.channel = channel
        self.dryRun = dryRun
        self.logger = logger
    }

    /// Drops an alert post (no-op without an `alerts` channel, in dry-runs, and for alerts about alerts).
    public func post(_ text: String, about postID: String? = nil, failingChannel: String? = nil) {
        guard let channel, !dryRun, failingChannel != channel, !(postID?.hasPrefix(Self.idPrefix) ?? false) else { return }
        let id = PostNames.generated(prefix: Self.idPrefix)
        let object: [String: Any] = ["id": id, "channels": [channel], "text": text]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        do {
            try FileOperations.writeAtomically(data, to: layout.pending(id + ".json"))
            logger.notice("alert posted", metadata: ["post": "\(id)", "channel": "\(channel)"])
        } catch {
            logger.error("cannot post an alert", metadata: ["error": "\(error)", "alert": "\(text)"])
        }
    }
}
