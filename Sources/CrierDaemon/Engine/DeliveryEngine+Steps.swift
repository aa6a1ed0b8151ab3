import CrierCore
import Foundation
import Logging

/// The engine's send loop for one delivery: ask its adapter for the next step (`StepPlan`), send
/// it (journaling first what must be durable before the request leaves), read the answer
/// (`StepClassifier`), and record the outcome — sent, the next step, a retry, failed, or `unknown`.
extension DeliveryEngine {
    /// Asks the delivery's adapter for its next step and sends it, or ends the delivery.
    func start(_ key: DeliveryKey, now: Date) {
        guard let active = posts[key.post], var record = active.records[key], record.status == .pending,
              let post = active.post else { return }
        if let expiresAt = active.journal.expiresAt, now > expiresAt, record.progress.uncertainStep == nil {
            record.apply(.expired(reason: "expired: not sent by \(TimestampFormat.string(expiresAt))", attempted: false), at: now)
            return finish(key, record: record, in: active)
        }
        guard let channel = runtime.channels[key.channel], let parts = active.parts[key.channel], key.part <= parts.count else {
            record.refuse(at: now, reason: "channel '\(key.channel)' is no longer configured in \(runtime.path)")
            return finish(key, record: record, in: active)
        }
        let context: DeliveryContext
        do {
            context = try deliveryContext(for: key, record: record, post: post, in: active, channel: channel, parts: parts)
        } catch {
            record.refuse(at: now, reason: error.description)
            return finish(key, record: record, in: active)
        }
        let step = channel.adapter.nextStep(for: context, progress: record.progress, media: mediaSource(of: active), now: now)
        switch StepPlan.next(step, progress: record.progress, lastStatus: record.httpStatus) {
        case .finish(let outcome):
            record.apply(outcome, at: now)
            logEnd(key, record: record)
            finish(key, record: record, in: active)
        case .holdUnknown(let reason):
            record.apply(.unknown(reason: reason), at: now)
            holdUnknown(key, record: record, in: active)
        case .send(let stepRequest, let journalFirst):
            if stepRequest.sessionStep, !options.dryRun, !sessions.beginRenewal(of: key.channel, by: key) {
                // Another delivery is renewing the channel's session: ask again with its result.
                return sessions.wait(key, for: key.channel)
            }
            send(stepRequest, of: key, record: record, context: context, adapter: channel.adapter, uncertainFirst: journalFirst,
                 in: active, now: now)
        }
    }

    /// Where the adapters of `active` read its media: this node's queue, or, for a post another node
    /// took in, the copies placed from the shared store (`loadRemoteContent`).
    private func mediaSource(of active: ActivePost) -> any MediaSource {
        active.media ?? media
    }

    /// What the adapter is given: the rendered part, the earlier parts' remote references, the media.
    private func deliveryContext(for key: DeliveryKey, record: DeliveryRecord, post: Post, in active: ActivePost, channel: ResolvedChannel,
                                 parts: [RenderedPart]) throws(MediaError) -> DeliveryContext {
        let earlier = (1..<key.part).map { active.records[DeliveryKey(post: key.post, channel: key.channel, part: $0)]?.remote }
        let items = post.media.isEmpty ? [] : try mediaSource(of: active).items(of: post, platform: channel.config.platform,
                                                                    publicBaseURL: channel.config.settings["media_base_url"])
        // A dry-run never logs in: its adapters build the requests they would send with a session.
        let session = options.dryRun ? ChannelSession.placeholder : sessions.session(for: key.channel)
        return DeliveryContext(deliveryID: record.id, post: post, channel: channel.config, secrets: channel.secrets,
                               part: key.part, partCount: parts.count, rendered: parts[key.part - 1],
                               scheduledAt: active.journal.scheduledAt, earlierParts: earlier, media: items, session: session)
    }

    /// Sends one step. On a throttled channel a delivery's first step is journaled as a send before
    /// the request goes out (a crash right after still counts against the limits), and a step that
    /// is not safe to repeat is journaled as uncertain first (a crash mid-request is then looked up
    /// or held, never repeated).
    private func send(_ step: StepRequest, of key: DeliveryKey, record: DeliveryRecord, context: DeliveryContext,
                      adapter: any PlatformAdapter, uncertainFirst: Bool, in active: ActivePost, now: Date) {
        var record = record
        // A session step (a login) before a post's first request is not the post's send: the
        // throttles count the request that posts.
        let firstStep = record.progress.isAtFirstStep && !step.sessionStep
        inFlight += 1
        active.inFlight.insert(key)
        var changes: [JournalChange] = []
        if let gate = gates[key.channel] {
            gate.inFlight += 1
            if firstStep, gate.isThrottled {
                let send = SendRecord(channel: key.channel, at: now, postID: key.post, deliveryID: record.id, text: context.text)
                gate.record(send)
                gate.outstanding.insert(record.id)
                changes.append(.recordSend(send))
            }
        }
        let remembers = step.remember.contains { record.progress.values[$0.key] != $0.value }
        if remembers { record.progress.values.merge(step.remember) { $1 } }
        if uncertainFirst { record.progress.uncertainStep = step.name }
        if uncertainFirst || remembers {
            active.records[key] = record
            changes.append(.updateDelivery(record))
        }
        if options.dryRun, logger.logLevel <= .info {
            // The exact request, with the channel's secrets taken out (a token in a URL path); built
            // only when it is logged (the preview logs nothing).
            let shown = PreviewRequest(step, redactor: SecretRedactor(context.secrets.values))
            logger.info("dry-run: would send", metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "part": "\(key.part)",
                                                          "step": "\(step.name)", "delivery": "\(record.id)",
                                                          "request": "\(shown.method) \(shown.url)", "body": "\(shown.body)",
                                                          "text": "\(context.text)"])
        }
        let transport = self.transport
        let flight = StepInFlight(key: key, step: step, sentWith: record.progress, context: context, adapter: adapter, startedAt: now)
        var outgoing = step.request
        // On a channel with a gap or a budget too: libcurl's own re-send on a dead reused connection
        // (same webhook-id, a millisecond later) would reach the receiver closer than it allows.
        outgoing.atMostOnce = !step.repeatSafe || gates[key.channel]?.limitsRate == true
        // Started ahead of its due instant (`EngineOptions.sendLead`): the transport starts it then.
        if options.sendLead > 0 { outgoing.notBefore = now }
        let request = outgoing
        let go: @Sendable () -> Void = { [weak self] in
            guard let engine = self else { return }
            transport.send(request) { result in
                engine.queue.async { engine.complete(flight, result: result) }
            }
        }
        if firstStep { observer?(.sent(key, at: now, text: context.text, deliveryID: record.id, step: step)) }
        guard !changes.isEmpty else { return go() }
        let deliveryID = record.id
        outstanding += 1
        active.unsavedChanges += 1
        batch.commit(changes) { [weak self] in
            guard let self else { return }
            self.outstanding -= 1
            self.posts[key.post]?.unsavedChanges -= 1
            // A pause that arrived while the send was being journaled still stops it.
            if self.pauseReason(for: key.channel) != nil { return self.park(key, deliveryID: deliveryID) }
            // With several daemons the claim holds for a lease: if journaling took so long (the
            // database away) that it may have run out, another node may have the delivery by now.
            // It does not go; it is claimed again (and the claim says who has it).
            if let cluster = self.journal.cluster, self.clock.now().timeIntervalSince(now) > cluster.lease / 2 {
                return self.claimAgain(key, deliveryID: deliveryID, clearing: uncertainFirst ? step.name : nil)
            }
            go()
        }
    }

    /// Undoes `send` for a request that never went out because its claim may have run out while
    /// its intent was journaled: the step is not in doubt (it did not leave), and the delivery is
    /// claimed again at once.
    private func claimAgain(_ key: DeliveryKey, deliveryID: String, clearing uncertainStep: String?) {
        logger.warning("claim may have expired while the send was journaled; claiming it again instead of sending",
                       metadata: ["post": "\(key.post)", "channel": "\(key.channel)", "delivery": "\(deliveryID)"])
        undoSend(key, deliveryID: deliveryID)
        guard let uncertainStep, let active = posts[key.post], var record = active.records[key], record.progress.uncertainStep == uncertainStep else {
            due.schedule(key, at: clock.now())
            return pump()
        }
        // Claimed again once the doubt is gone from the store too (a claim compares the progress).
        record.progress.uncertainStep = nil
        active.records[key] = record
        batch.commit([.updateDelivery(record)]) { [weak self] in
            guard let self else { return }
            self.due.schedule(key, at: self.clock.now())
            self.pump()
        }
    }

    /// Undoes `send` for a request that never went out: parked until the pause lifts.
    private func park(_ key: DeliveryKey, deliveryID: String) {
        undoSend(key, deliveryID: deliveryID)
        parked.insert(key)
        pump()
    }

    /// Gives back what `send` took for a request that did not go out (its in-flight slots).
    private func undoSend(_ key: DeliveryKey, deliveryID: String) {
        inFlight -= 1
        for waiter in sessions.endRenewal(of: key.channel, by: key) { due.schedule(waiter, at: clock.now()) }
        if let gate = gates[key.channel] {
            gate.inFlight = max(0, gate.inFlight - 1)
            gate.outstanding.remove(deliveryID)
            if gate.probe == key { gate.probe = nil }
        }
        posts[key.post]?.inFlight.remove(key)
    }

    private func complete(_ flight: StepInFlight, result unredacted: TransportResult) {
        let key = flight.key, step = flight.step, progress = flight.sentWith, context = flight.context
        let adapter = flight.adapter, startedAt = flight.startedAt
        inFlight -= 1
        // libcurl's words may quote the URL, where a Telegram token or a webhook token lives.
        let result = context.secrets.isEmpty ? unredacted : unredacted.mapError { error -> TransportError in
            var redacted = error
            redacted.message = SecretRedactor(context.secrets.values).redact(error.message)
            return redacted
        }
        let now = clock.now()
        if let deliveryID = posts[key.post]?.records[key]?.id,
           let times = gates[key.channel]?.completed(deliveryID: deliveryID, at: now), times.started != times.completed {
            batch.commit([.completeSend(deliveryID: deliveryID, startedAt: times.started, completedAt: times.completed)])
        }
        guard let active = posts[key.post], var record = active.records[key] else {
            learn(from: result, of: key, startedAt: startedAt, now: now)
            return pump()
        }
        active.inFlight.remove(key)
        if case .failure(let error) = result, error.kind == .cancelled {
            // Abandoned at shutdown: stays pending with the same id (and, for a step that is not
            // safe to repeat, marked uncertain in the journal), taken up on the next start.
            learn(from: result, of: key, startedAt: startedAt, now: now)
            _ = sessions.endRenewal(of: key.channel, by: key)
            return pump()
        }
        let policy = runtime.channels[key.channel]?.config.retry ?? RetryPolicy()
        var decision = StepClassifier(policy: policy).classify(
            result, of: step, answer: { adapter.read($0, to: step, for: context, progress: progress) }, progress: progress, now: now,
            expiresAt: active.journal.expiresAt, randomFraction: Double.random(in: 0..<1, using: &random))
        var sessionExpired = false
        if case .expired = decision.session { sessionExpired = true }
        learn(from: result, of: key, startedAt: startedAt, now: now, sessionExpired: sessionExpired)
        if options.dryRun, case .success = result {
            // A recording transport's answer carries nothing a later step could use: the first
            // step stands for the whole delivery.
            decision.outcome = .sent(nil, httpStatus: 200)
        }
        if case .advanced = decision.outcome, let warning = decision.progress.values[DeliveryProgress.warningKey],
           warning != progress.values[DeliveryProgress.warningKey] {
            logger.warning("\(warning)", metadata: metadata(key, record, extra: ["step": "\(step.name)"]))
        }
        record.progress = decision.progress
        record.apply(decision.outcome, at: now)
        if let error = record.error, !context.secrets.isEmpty {
            // A platform's or libcurl's words may quote the request (a token in a URL path): what is
            // logged and kept in the journal and receipts never holds a secret.
            record.error = SecretRedactor(context.secrets.values).redact(error)
        }
        let sessionStored = takeSessionChange(decision.session, of: key, step: step, sentWith: context.session, now: now)
        if step.sessionStep, record.status == .failed, !options.dryRun {
            alerts?.post("crier could not renew the session of channel '\(key.channel)' (\(step.name)): \(record.error ?? "no reason given"). "
                         + "Fix the channel's credentials in crier.yml or run `crier auth \(key.channel)`; its posts fail until then.",
                         about: key.post, failingChannel: key.channel)
        }
        if record.status == .pending, record.progress.uncertainStep != nil,
           case .holdUnknown(let reason) = StepPlan.next(adapter.nextStep(for: context, progress: record.progress, media: mediaSource(of: active), now: now),
                                                          progress: record.progress, lastStatus: record.httpStatus) {
            // No answer to a step that cannot be repeated or looked up: only the operator can tell.
            record.status = .unknown
            record.dueAt = nil
            record.error = "\(record.error ?? "no answer"); \(reason)"
        }
        if record.status == .unknown {
            return holdUnknown(key, record: record, in: active)
        }
        if record.status == .pending, case .advanced = decision.outcome {
            logger.debug("delivery step done", metadata: metadata(key, record, extra: ["step": "\(step.name)"]))
        } else {
            logEnd(key, record: record)
        }
        if record.status == .pending, active.fileRemoved, record.progress.uncertainStep == nil {
            record.cancel(at: now, reason: "cancelled: the post file left the queue")
        }
        finish(key, record: record, in: active, after: sessionStored)
    }

    /// Takes in what a step's answer says about the channel's session: a new session is journaled
    /// (returned, so the delivery's next step waits for it to be durable), an expired one marked for
    /// renewal. The end of a session step lets the deliveries that waited for it ask again.
    private func takeSessionChange(_ change: SessionChange?, of key: DeliveryKey, step: StepRequest, sentWith session: ChannelSession,
                                   now: Date) -> JournalChange? {
        var journaled: JournalChange?
        switch change {
        case .store(let renewed) where !options.dryRun:
            let stored = sessions.store(renewed, for: key.channel)
            journaled = .storeSession(channel: key.channel, stored)
            logger.info("channel session stored", metadata: ["channel": "\(key.channel)", "step": "\(step.name)", "session": "\(stored)"])
        case .expired where !options.dryRun:
            sessions.markExpired(key.channel, generation: session.generation)
            logger.notice("channel session refused as expired; renewing it", metadata: ["channel": "\(key.channel)", "post": "\(key.post)"])
        default:
            break
        }
        let waiters = sessions.endRenewal(of: key.channel, by: key)
        guard !waiters.isEmpty else { return journaled }
        if let journaled {
            outstanding += 1
            batch.commit([journaled]) { [weak self] in
                guard let self else { return }
                self.outstanding -= 1
                for waiter in waiters { self.due.schedule(waiter, at: self.clock.now()) }
                self.pump()
            }
            return nil
        }
        for waiter in waiters { due.schedule(waiter, at: now) }
        return nil
    }

    /// Built only for a line that is logged (the preview and `--log-level warning` log none).
    private func metadata(_ key: DeliveryKey, _ record: DeliveryRecord, extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["post": "\(key.post)", "channel": "\(key.channel)", "part": "\(key.part)",
                                         "delivery": "\(record.id)", "attempt": "\(record.attempts)"]
        // A dry-run's status comes from the recording transport: no receiver said it.
        if let status = record.httpStatus, !options.dryRun { metadata["status"] = "\(status)" }
        return metadata.merging(extra) { $1 }
    }

    private func logEnd(_ key: DeliveryKey, record: DeliveryRecord) {
        switch record.status {
        case .sent:
            logger.info(options.dryRun ? "dry-run: delivery would be sent" : "delivery sent", metadata: metadata(key, record))
        case .pending:
            logger.warning("delivery will be retried", metadata: metadata(key, record, extra: [
                "retry_at": "\(record.dueAt.map(TimestampFormat.string) ?? "-")", "error": "\(record.error ?? "")"]))
        default:
            logger.error("delivery failed", metadata: metadata(key, record, extra: ["error": "\(record.error ?? "")"]))
        }
    }

    /// A delivery whose outcome nobody can know: journaled as `unknown`, the post kept in the queue,
    /// and the operator told what to do.
    private func holdUnknown(_ key: DeliveryKey, record: DeliveryRecord, in active: ActivePost) {
        let hint = "`crier resolve \(key.post) --channel \(key.channel) --sent URL` if it is on \(key.channel), "
            + "`--not-sent` (or `crier retry \(key.post) --channel \(key.channel)`) if it is not"
        logger.critical("delivery outcome unknown; held for the operator",
                        metadata: metadata(key, record, extra: ["error": "\(record.error ?? "")", "next": "\(hint)"]))
        observer?(.ended(key, status: .unknown, reason: record.error))
        alerts?.post("crier does not know whether post '\(key.post)' (part \(key.part)) reached channel '\(key.channel)': "
                     + "\(record.error ?? "no answer came back"). Look on the channel, then run \(hint).",
                     about: key.post, failingChannel: key.channel)
        finish(key, record: record, in: active)
    }
}
