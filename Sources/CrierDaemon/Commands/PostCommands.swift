import CrierCore
import Foundation

/// `crier cancel` and `crier retry`: they work on files and the journal directly, so they work with
/// or without a running daemon; a running daemon notices the file moves through inotify.
public enum PostCommands {
    /// Moves a pending post's file to `cancelled/`. The daemon (now, or at its next start) cancels the
    /// deliveries not yet sent and writes the receipt beside it.
    public static func cancel(postID: String, layout: QueueLayout, timeZone: TimeZone) throws(DaemonError) -> String {
        guard let name = pendingFile(of: postID, layout: layout, timeZone: timeZone) else {
            throw DaemonError("no pending post '\(postID)' in \(layout.root) (see `crier status`)")
        }
        let destination = PostFiler.unusedPair(directory: layout.cancelled, name: name, sidecar: "receipt.json")
        do {
            try FileOperations.move(layout.pending(name), to: destination)
        } catch {
            throw DaemonError("cannot move \(name) to cancelled/: \(error)")
        }
        if layout.journalExists {
            try? JournalStore.open(layout).commitNow([.history(HistoryEvent(at: Date(), postID: postID, actor: CommandActor.current(),
                                                                            action: "cancelled", detail: "crier cancel"))])
        }
        return destination
    }

    /// Puts a failed post's failed (or expired) deliveries back in line — only those of `channel` if
    /// given — with their original delivery ids, and moves its file back into the queue.
    public static func retry(postID: String, channel: String?, layout: QueueLayout) throws(DaemonError) -> [String] {
        let journal: any Journal
        let found: (JournalPost, [DeliveryRecord])?
        do {
            journal = try JournalStore.open(layout)
            found = try journal.post(id: postID)
        } catch {
            throw DaemonError("\(error)")
        }
        guard var (post, records) = found else { throw DaemonError("the journal has no post '\(postID)'") }
        if post.state == .pending, records.contains(where: { $0.status == .unknown }) {
            // Held as unknown: "send it again" is the operator saying it did not go out.
            return try resolve(postID: postID, channel: channel, sentURL: nil, layout: layout)
        }
        guard post.state == .failed else {
            throw DaemonError("post '\(postID)' is \(post.state.rawValue), not failed; only failed posts can be retried")
        }
        let source = layout.failed + "/" + post.file
        guard FileManager.default.fileExists(atPath: source) else {
            throw DaemonError("\(source) is missing; put the post file back there first")
        }
        guard !FileManager.default.fileExists(atPath: layout.pending(post.file)) else {
            throw DaemonError("the queue already has a file \(post.file); move it away first")
        }
        let now = Date()
        var changes: [JournalChange] = []
        var channels: [String] = []
        for index in records.indices where records[index].status == .failed || records[index].status == .expired {
            if let channel, records[index].key.channel != channel { continue }
            records[index].requeue(at: now)
            changes.append(.upsertDelivery(records[index]))
            channels.append(records[index].key.channel)
        }
        guard !changes.isEmpty else {
            throw DaemonError(channel.map { "post '\(postID)' has no failed delivery on channel '\($0)'" } ?? "post '\(postID)' has no failed deliveries")
        }
        post.state = .pending
        post.finishedAt = nil
        if let expiresAt = post.expiresAt, expiresAt < now {
            // A retry is a deliberate new attempt: give it a fresh window of the same length.
            post.expiresAt = now.addingTimeInterval(expiresAt.timeIntervalSince(post.scheduledAt))
        }
        changes.append(.upsertPost(post))
        changes.append(.history(HistoryEvent(at: now, postID: postID, actor: CommandActor.current(), action: "retried",
                                             detail: Array(Set(channels)).sorted().joined(separator: ", "))))
        do {
            try journal.commitNow(changes)
            try FileOperations.move(source, to: layout.pending(post.file))
            let receipt = PostFiler.sidecar(of: source, "receipt.json")
            if FileManager.default.fileExists(atPath: receipt) { try FileOperations.move(receipt, to: FileOperations.unusedPath(receipt + ".previous")) }
        } catch {
            throw DaemonError("\(error)")
        }
        return Array(Set(channels)).sorted()
    }

    /// The operator's answer for deliveries held as `unknown` (`crier resolve`): they did reach the
    /// platform (`sentURL`: where the post is) or they did not (nil: send again). Recorded in the
    /// journal for the daemon that owns them, which applies it within a second (or at its next
    /// start). Returns the channels resolved.
    public static func resolve(postID: String, channel: String?, sentURL: String?, layout: QueueLayout,
                               now: Date = Date()) throws(DaemonError) -> [String] {
        let found: (JournalPost, [DeliveryRecord])?
        do {
            found = layout.journalExists ? try JournalStore.open(layout).post(id: postID) : nil
        } catch {
            throw DaemonError("\(error)")
        }
        guard let (_, records) = found else { throw DaemonError("the journal has no post '\(postID)' (see `crier status`)") }
        let unknown = records.filter { $0.status == .unknown && (channel == nil || $0.key.channel == channel) }
        guard !unknown.isEmpty else {
            let held = Set(records.filter { $0.status == .unknown }.map(\.key.channel)).sorted()
            if let channel, !held.isEmpty {
                throw DaemonError("post '\(postID)' has no delivery of unknown outcome on channel '\(channel)'; it has on: \(held.joined(separator: ", "))")
            }
            throw DaemonError("post '\(postID)' has no delivery of unknown outcome\(channel.map { " on channel '\($0)'" } ?? "") (see `crier status`)")
        }
        let channels = Set(unknown.map(\.key.channel))
        if sentURL != nil, channel == nil, channels.count > 1 {
            throw DaemonError("post '\(postID)' is unknown on \(channels.sorted().joined(separator: ", ")); name the one the URL is for with --channel")
        }
        if let sentURL, !(sentURL.hasPrefix("https://") || sentURL.hasPrefix("http://")) {
            throw DaemonError("--sent takes the URL of the post on the platform (https://…); got '\(sentURL)'")
        }
        let by = CommandActor.current()
        let changes: [JournalChange] = unknown.flatMap { record -> [JournalChange] in
            [.resolution(Resolution(deliveryID: record.id, key: record.key, sent: sentURL != nil, remoteURL: sentURL, resolvedBy: by, resolvedAt: now)),
             .history(HistoryEvent(at: now, postID: postID, channel: record.key.channel, actor: by, action: "resolved",
                                   detail: sentURL.map { "sent: \($0)" } ?? "not sent: send again"))]
        }
        do {
            try JournalStore.open(layout).commitNow(changes)
            try FileOperations.writeAtomically(Data("\(now.timeIntervalSince1970)\n".utf8), to: layout.controlStamp)
        } catch {
            throw DaemonError("cannot record the resolution: \(error)")
        }
        return channels.sorted()
    }

    /// The queue file holding `postID`: the journal's record of it, else a file named after it, else
    /// any post file whose `id:` says so.
    static func pendingFile(of postID: String, layout: QueueLayout, timeZone: TimeZone) -> String? {
        if layout.journalExists,
           let journal = try? JournalStore.open(layout), let (post, _) = try? journal.post(id: postID),
           post.state == .pending, FileManager.default.fileExists(atPath: layout.pending(post.file)) {
            return post.file
        }
        let names = ((try? FileOperations.listDirectory(layout.root)) ?? []).filter(QueueFileName.isPostCandidate).sorted()
        if let byName = names.first(where: { PostID.fromFileName($0) == postID }) { return byName }
        let parser = PostParser(timeZone: timeZone)
        return names.first { name in
            guard let data = FileManager.default.contents(atPath: layout.pending(name)) else { return false }
            return (try? parser.parse(data, fileName: name))?.id == postID
        }
    }
}
