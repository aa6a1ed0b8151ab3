import CrierCore
import Foundation
import Logging

/// Several daemons on one shared store (`Journal.cluster`, `store: postgres`). Each node takes in the
/// files of its own queue directory; every node learns of the posts the others took in and can
/// deliver them; every step of every delivery is claimed before its request goes out, so a post
/// goes out once per channel whichever node sends it, and the channel's limits hold across all
/// nodes. The node a post was dropped on files it (with its receipt) once every delivery is final,
/// whoever sent them.
///
/// On SQLite there is no cluster: none of this runs.
extension DeliveryEngine {
    /// Claims the step of `key` that is about to start. True: start it now. False: it was put back
    /// (later, or moved on by another node and taken in from the journal here).
    func claimAllows(_ key: DeliveryKey, now: Date) -> Bool {
        guard let cluster = journal.cluster, !options.dryRun else { return true }
        guard let active = posts[key.post], let record = active.records[key], record.status == .pending else { return false }
        var reservation: SendClaim.Reservation?
        if record.progress.isAtFirstStep, let gate = gates[key.channel], gate.isThrottled {
            let text = active.parts[key.channel]?[safe: key.part - 1]?.text ?? ""
            reservation = SendClaim.Reservation(send: SendRecord(channel: key.channel, at: now, postID: key.post, deliveryID: record.id, text: text),
                                                limits: gate.limits, duplicates: gate.duplicates, timeZone: gate.timeZone)
        }
        let answer = cluster.claim(SendClaim(record: record, contentHash: active.journal.contentHash, now: now, reservation: reservation))
        if case .unavailable = answer {} else if clusterProblem != nil {
            clusterProblem = nil
            logger.notice("the shared store answers again; claiming resumes", metadata: ["store": "\(journal.path)"])
        }
        switch answer {
        case .granted:
            return true
        case .later(let until, let reason), .channelLater(let until, let reason):
            if case .channelLater = answer, let gate = gates[key.channel] {
                // The whole channel waits: its other deliveries here hold until then without asking.
                gate.clusterNotBefore = max(gate.clusterNotBefore ?? until, until)
            }
            due.schedule(key, at: until)
            observer?(.held(key, reason: reason, until: until))
            logger.debug("claim: later", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "reason": "\(reason)",
                                                    "until": "\(TimestampFormat.string(until))"])
            return false
        case .changed(let stored, let contentHash):
            takeFromCluster(key, stored: stored, contentHash: contentHash, now: now)
            return false
        case .unavailable(let problem):
            if clusterProblem == nil {
                logger.error("cannot claim deliveries: the shared store does not answer; nothing is sent until it does (retrying)",
                             metadata: ["store": "\(journal.path)", "error": "\(problem)"])
            }
            clusterProblem = problem
            due.schedule(key, at: now.addingTimeInterval(1))
            return false
        }
    }

    /// The journal's record of a delivery is ahead of this node's (another node sent it, tried it,
    /// or is part-way through it; or the post was edited): take it in and go on from there.
    private func takeFromCluster(_ key: DeliveryKey, stored: DeliveryRecord?, contentHash: String?, now: Date) {
        guard let active = posts[key.post] else { return }
        if let contentHash, contentHash != active.journal.contentHash {
            // Edited on the node it was dropped on: read again as that node has it now.
            if remotePostIDs.contains(key.post) {
                forgetRemotePost(key.post)
                syncRemotePosts(rewind: true)
            } else {
                due.schedule(key, at: now.addingTimeInterval(2))
            }
            return
        }
        guard let stored else {
            if !active.remote, active.inFlight.isEmpty, let cluster = journal.cluster, let origin = (try? journal.post(id: key.post))??.0.origin,
               origin != cluster.node {
                return yieldToOrigin(key.post, origin: origin)
            }
            due.schedule(key, at: now.addingTimeInterval(2))
            return
        }
        active.records[key] = stored
        logger.debug("delivery taken from the shared store", metadata: ["post": "\(key.post)", "channel": "\(key.channel)",
                                                                         "part": "\(key.part)", "status": "\(stored.status.rawValue)"])
        switch stored.status {
        case .pending:
            due.schedule(key, at: max(stored.dueAt ?? now, now))
        case .unknown:
            observer?(.ended(key, status: .unknown, reason: stored.error))
        case .sent:
            scheduleReady(key.post)
            finalizeIfDone(key.post)
        case .failed, .expired, .cancelled:
            observer?(.ended(key, status: stored.status, reason: stored.error))
            finalizeIfDone(key.post)
        }
    }

    /// The same post id was dropped here and on node `origin` at about the same time, and that
    /// node's post was stored first (this node's rows were refused): the post is that node's, and
    /// this file is rejected as a second post under a taken id, as when it is dropped later.
    private func yieldToOrigin(_ id: String, origin: String) {
        guard let active = posts[id] else { return }
        let file = active.journal.file
        for key in active.records.keys { due.cancel(key) }
        posts[id] = nil
        postIDByFile[file] = nil
        reject(name: file, error: PostFileError(file: file, field: "id",
            message: "post id '\(id)' was dropped on node \(origin) sharing this store at the same time, and taken in there first; edit it there, or give this post another id"))
    }

    // MARK: Posts dropped on other nodes

    /// Takes in what changed among the posts other nodes took in: new ones sleep until shortly
    /// before they are due (then their source is read from the store and rendered here), finished
    /// ones are forgotten, edited ones are read again.
    /// - Parameter rewind: read every pending post again, not only those changed since last time.
    public func syncRemotePosts(rewind: Bool = false) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let cluster = journal.cluster, accepting, !options.dryRun else { return }
        if rewind { remoteWatermark = 0 }
        let found: [RemotePost]
        do {
            (found, remoteWatermark) = try cluster.remotePosts(after: remoteWatermark)
        } catch {
            logger.warning("cannot read other nodes' posts; trying again shortly", metadata: ["error": "\(error)"])
            return
        }
        let now = clock.now()
        for remote in found {
            let known = remotePostIDs.contains(remote.id)
            guard remote.pending, remote.pendingDeliveries > 0 else {
                if known { forgetRemotePost(remote.id) }
                continue
            }
            if known {
                let hash = posts[remote.id].map { DormantPost.hashPrefix($0.journal.contentHash) } ?? dormant[remote.id]?.hashPrefix
                if hash == DormantPost.hashPrefix(remote.contentHash) {
                    if dormant[remote.id] != nil { dormantSchedule.push(remote.id, at: remote.earliestPendingDue ?? now) }
                    continue
                }
                guard forgetRemotePost(remote.id) else { continue }
            } else if posts[remote.id] != nil || dormant[remote.id] != nil {
                continue  // one of this node's own (it cannot be: origin differs), left alone
            }
            remotePostIDs.insert(remote.id)
            // Kept out of the status line's count: each node counts what was dropped on it.
            dormant[remote.id] = DormantPost(file: "", hashPrefix: DormantPost.hashPrefix(remote.contentHash), pendingDeliveries: 0)
            dormantSchedule.push(remote.id, at: remote.earliestPendingDue ?? now)
        }
        if found.count >= 5000 { queue.async { [weak self] in self?.syncRemotePosts() } }
        pump()
    }

    /// Forgets a post another node took in (finished, edited, or not deliverable here). False if it
    /// has a request in flight (then it is forgotten when that completes and it is finished).
    @discardableResult
    func forgetRemotePost(_ id: String) -> Bool {
        if let active = posts[id] {
            guard active.inFlight.isEmpty, active.unsavedChanges == 0 else { return false }
            for key in active.records.keys { due.cancel(key) }
            posts[id] = nil
        }
        dormant[id] = nil
        if remotePostIDs.remove(id) != nil { postLoader?.remoteMedia.remove(post: id) }
        return true
    }

    /// Reads a post another node took in from the store (its source and media) and renders it here.
    /// False if it cannot be delivered from this node (its media are not in the store, or this
    /// node's config renders it differently): it is left to the other nodes.
    func loadRemoteContent(_ active: ActivePost) -> Bool {
        let id = active.journal.id
        active.remote = true
        guard let cluster = journal.cluster, let postLoader else { return false }
        let content: SharedPostContent?
        let mediaRoot: String
        do {
            content = try cluster.content(ofPost: id)
        } catch {
            logger.warning("cannot read a post of another node from the store; trying again shortly", metadata: ["post": "\(id)", "error": "\(error)"])
            forgetRemotePost(id)
            return false
        }
        guard let content else {
            forgetRemotePost(id)
            return false
        }
        do {
            // Always a root of its own, even without media: a post whose media the store does not hold
            // (too large) finds none there, rather than a file of the same name in this node's queue.
            mediaRoot = try postLoader.remoteMedia.place(content.media, forPost: id)
        } catch {
            logger.error("cannot place the media of a post of another node in the state directory: left to the others",
                         metadata: ["post": "\(id)", "directory": "\(postLoader.remoteMedia.directory)", "error": "\(error)"])
            forgetRemotePost(id)
            return false
        }
        guard case .post(let parsed) = postLoader.parse(content.source, name: active.journal.file, config: runtime.config,
                                                   root: mediaRoot, signature: nil),
              parsed.post.id == id, parsed.contentHash == active.journal.contentHash else {
            logger.notice("a post of another node cannot be delivered from here (its media weigh more than the store keeps, or it does not parse with this node's config): left to the others", metadata: ["post": "\(id)", "file": "\(active.journal.file)"])
            forgetRemotePost(id)
            return false
        }
        let records = active.records
        reconcile(active, with: parsed)
        guard active.records == records else {
            logger.warning("a post of another node renders differently with this node's config (channels or limits differ): left to the others; give every node the same channels", metadata: ["post": "\(id)"])
            active.records = records
            forgetRemotePost(id)
            return false
        }
        active.media = content.media.isEmpty ? nil : postLoader.mediaSource(root: mediaRoot)
        return true
    }
}
