import CrierCore
import Foundation
import FuzzSupport

/// Every platform adapter's reading of whatever its platform answers, walked the way the engine
/// walks a delivery: the adapter names a step (`nextStep`), the step gets the next fuzzed answer,
/// the adapter reads it (`read`), `StepClassifier` decides, and the progress and session the
/// decision carries go into the next step — until the delivery ends, the answers run out or 24
/// steps were taken. With the probe flag, `crier check --online` is walked instead
/// (`nextProbeStep`/`readProbe`).
///
/// Input: 1 byte scenario (mod 12: webhook, mastodon, bluesky, x, threads, instagram, facebook,
/// linkedin, telegram, discord, slack, matrix — see Scenarios.swift), 1 byte flags
/// (`ScenarioFlags`: thread part, image, video, renewal/login, expiry, other mode, probe), then
/// answers separated by a line `~~~`. Each answer: its status on the first line (digits; below
/// 100 stands for a transport failure: no answer), header lines `Name: value` up to an empty
/// line, then the body.
///
/// Properties, for every answer of every step:
/// - the adapter's words (failed, retry, session expired, a warning it leaves, a probe's verdict)
///   are not empty, are short (`maximumMessage`, not counting ids and URLs learned from earlier
///   answers; a check's verdict is not bounded), and quote no secret or session token of the
///   channel unless an answer of the walk carried it;
/// - a retry is scheduled at a finite time, not in the past; a failure says why;
/// - a delivery is `sent` only by a step that posts (or reads back what was posted), never by a
///   login, a lookup or an upload that comes before the post;
/// - a session an answer gives has an expiry crier can write down (`crier status`, `crier auth`);
/// - an answer that moves a delivery on changes something: never the same request again at once,
///   with nothing learned (the engine would send it again without pause, for ever).
private let maximumMessage = 1_500
private let separator = Data("\n~~~\n".utf8)
private let kinds: [TransportError.Kind] = [.connect, .timeout, .tls, .network, .invalidRequest]

/// One fuzzed answer (or transport failure) and its text, for the credential oracle.
private struct Answer {
    var result: TransportResult
    var response: TransportResponse
    var text: String
}

private func answers(_ data: Data) -> [Answer] {
    var chunks: [Data] = []
    var rest = data[...]
    while let range = rest.firstRange(of: separator), chunks.count < 24 {
        chunks.append(Data(rest[rest.startIndex..<range.lowerBound]))
        rest = rest[range.upperBound...]
    }
    if !rest.isEmpty || chunks.isEmpty { chunks.append(Data(rest)) }
    return chunks.map { chunk in
        let split = chunk.firstRange(of: Data("\n\n".utf8))
        let head = String(decoding: chunk[chunk.startIndex..<(split?.lowerBound ?? chunk.endIndex)], as: UTF8.self)
        let body = split.map { Data(chunk[$0.upperBound...]) } ?? Data()
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
        let statusLine = lines.isEmpty ? "" : String(lines.removeFirst())
        let digits = statusLine.prefix { $0.isASCII && $0.isNumber }.prefix(4)
        let status = Int(digits).map { $0 % 1000 } ?? 200
        var headers: [HTTPHeader] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(HTTPHeader(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let response = TransportResponse(status: status, headers: headers, body: body)
        let result: TransportResult = status < 100
            ? .failure(TransportError(kind: kinds[status % kinds.count], message: "fuzzed failure \(status)", requestSent: status >= 50))
            : .success(response)
        return Answer(result: result, response: response, text: head + "\n" + String(decoding: body, as: UTF8.self))
    }
}

/// Steps that come before the post exists: none of them can complete a delivery.
private func comesBeforeThePost(_ step: StepRequest, scenario: Scenario) -> Bool {
    if step.sessionStep { return true }
    let name = step.name
    let prefixes = ["upload", "media-", "check-media[", "init-image[", "quota", "create-item[", "lookup-", "resolve-", "channel-lookup",
                    "photo[", "refresh", "login", "create-session", "find-parent"]
    if prefixes.contains(where: { name.hasPrefix($0) }) { return true }
    // Threads and Instagram: `create` makes an invisible container; the post is `publish`.
    if scenario.adapter is GraphContainerAdapter, name == "create" || name == "poll" { return true }
    return false
}

/// `quoted`: what the delivery learned from earlier answers (ids, upload URLs), which an adapter
/// may name in full. `bounded`: false for a check's verdict (a profile's name, printed once).
private func checkWords(_ words: String, _ what: String, scenario: Scenario, answer: Answer, step: String, quoted: [String] = [],
                        bounded: Bool = true) {
    invariant(!words.isEmpty, "\(scenario.name) \(step): \(what) without words")
    if bounded, !KnownFindings.adapterWordsCanBeLong {
        let learned = quoted.filter { !$0.isEmpty && words.contains($0) }.reduce(0) { $0 + $1.count }
        invariant(words.count - learned <= maximumMessage,
                  "\(scenario.name) \(step): \(what) of \(words.count) characters: \(String(words.prefix(200)).debugDescription)…")
    }
    for credential in scenario.credentials where credential.count >= 4 && words.contains(credential) && !answer.text.contains(credential) {
        invariant(false, "\(scenario.name) \(step): \(what) quotes a credential the answer did not carry: \(words.debugDescription)")
    }
}

private func checkSession(_ session: ChannelSession, scenario: Scenario, step: String) {
    guard let expiresAt = session.expiresAt else { return }
    let seconds = expiresAt.timeIntervalSince1970
    invariant(seconds.isFinite, "\(scenario.name) \(step): a session that expires at \(seconds)")
    // What `crier status` and `crier auth` write about it.
    _ = TimestampFormat.string(expiresAt)
    _ = Int(expiresAt.timeIntervalSince(now) / 86_400)
}

private func walkDelivery(_ scenario: Scenario, _ flags: ScenarioFlags, _ answers: [Answer]) {
    var context = scenario.context(flags)
    var progress = DeliveryProgress.start
    let classifier = StepClassifier(policy: context.channel.retry)
    let media = FixedMedia()
    let expiresAt = flags.expires ? now.addingTimeInterval(3_600) : nil
    var lastStatus: Int?
    var repeated: StepRequest?
    var heard = ""
    for next in answers {
        // A credential an earlier answer carried (an id with a token in it) may come back in
        // later words: what the walk heard so far counts as the answer's text.
        heard += next.text + "\n"
        var answer = next
        answer.text = heard
        let step: StepRequest
        switch StepPlan.next(scenario.adapter.nextStep(for: context, progress: progress, media: media, now: now), progress: progress,
                             lastStatus: lastStatus) {
        case .send(let request, _):
            step = request
        case .finish(let outcome):
            if case .failed(let reason, _) = outcome {
                checkWords(reason, "a refusal to go on", scenario: scenario, answer: answer, step: "next step",
                           quoted: Array(progress.values.values) + Array(context.session.values.values))
            }
            return
        case .holdUnknown(let reason):
            invariant(!reason.isEmpty, "\(scenario.name): held as unknown without a reason")
            return
        }
        invariant(!step.name.isEmpty, "\(scenario.name): a step without a name")
        if let repeated, !(KnownFindings.aRefreshedTokenCanBeDueAtOnce && step.sessionStep
                               && ["refresh", "refresh-session", "refresh-token"].contains(step.name)) {
            invariant(step != repeated, "\(scenario.name) \(step.name): the answer moved the delivery on, but its next request is the same "
                + "one, with nothing learned: the engine would send it again at once, for ever")
        }
        repeated = nil

        let learned = Array(progress.values.values) + Array(context.session.values.values)
        // The adapter's reading of the answer, as the engine asks for it.
        var read: StepAnswer?
        let decision = classifier.classify(answer.result, of: step, answer: { response in
            let said = scenario.adapter.read(response, to: step, for: context, progress: progress)
            read = said
            return said
        }, progress: progress, now: now, expiresAt: expiresAt, randomFraction: 0.5)
        switch read {
        case .failed(let words)?: checkWords(words, "a failure", scenario: scenario, answer: answer, step: step.name, quoted: learned)
        case .retry(let words, _)?: checkWords(words, "a retry", scenario: scenario, answer: answer, step: step.name, quoted: learned)
        case .sessionExpired(let words)?:
            checkWords(words, "an expired session", scenario: scenario, answer: answer, step: step.name, quoted: learned)
        case .advanced(let next)?:
            if let warning = next.values[DeliveryProgress.warningKey], warning != progress.values[DeliveryProgress.warningKey] {
                // Logged as it is (the engine redacts errors, not warnings).
                checkWords(warning, "a warning", scenario: scenario, answer: answer, step: step.name, quoted: learned)
            }
        case .renewed(let session)?: checkSession(session, scenario: scenario, step: step.name)
        default: break
        }

        switch decision.outcome {
        case .retry(let at, let reason, _):
            invariant(at.timeIntervalSince1970.isFinite && at >= now,
                      "\(scenario.name) \(step.name): a retry scheduled at \(at.timeIntervalSince1970) (now \(now.timeIntervalSince1970)): \(reason)")
            invariant(!reason.isEmpty, "\(scenario.name) \(step.name): a retry without a reason")
        case .failed(let reason, _), .expired(let reason, _), .unknown(let reason):
            invariant(!reason.isEmpty, "\(scenario.name) \(step.name): a delivery ended without a reason")
            return
        case .sent:
            invariant(!comesBeforeThePost(step, scenario: scenario),
                      "\(scenario.name) \(step.name): HTTP \(answer.response.status) to a step that comes before the post made the delivery `sent` "
                      + "(nothing was posted); the adapter read \(String(describing: read))")
            return
        case .advanced:
            break
        }

        // What the engine keeps: the progress, and the session the answer changed.
        let before = (progress.values, progress.done, context.session)
        progress = decision.progress
        switch decision.session {
        case .store(let session)?:
            var stored = session
            stored.generation = context.session.generation + 1
            context.session = stored
        case .expired?:
            context.session.needsRenewal = true
        case nil:
            break
        }
        if case .advanced = decision.outcome, progress.values == before.0, progress.done == before.1,
           context.session.values == before.2.values, context.session.needsRenewal == before.2.needsRenewal,
           context.session.expiresAt == before.2.expiresAt {
            repeated = step
        }
        if case .success(let response) = answer.result { lastStatus = response.status }
    }
}

private func walkProbe(_ scenario: Scenario, _ answers: [Answer]) {
    var probe = ProbeContext(channel: scenario.channel, secrets: scenario.secrets, session: scenario.session)
    var values: [String: String] = [:]
    var heard = ""
    for next in answers {
        heard += next.text + "\n"
        var answer = next
        answer.text = heard
        let step: StepRequest
        switch scenario.adapter.nextProbeStep(for: probe, values: values) {
        case .request(let request): step = request
        case .ok(let words):
            checkWords(words, "a check's verdict", scenario: scenario, answer: answer, step: "probe", bounded: false)
            return
        case .problem(let words):
            checkWords(words, "a check's problem", scenario: scenario, answer: answer, step: "probe", bounded: false)
            return
        }
        // `crier check --online` reports a transport failure itself; only answers reach readProbe.
        guard case .success(let response) = answer.result else { return }
        switch scenario.adapter.readProbe(response, to: step, for: probe, values: values) {
        case .advanced(let more): values.merge(more) { $1 }
        case .renewed(let session):
            checkSession(session, scenario: scenario, step: step.name)
            var stored = session
            stored.generation = probe.session.generation + 1
            probe.session = stored
        case .ok(let words):
            checkWords(words, "a check's verdict", scenario: scenario, answer: answer, step: step.name, bounded: false)
            return
        case .problem(let words):
            checkWords(words, "a check's problem", scenario: scenario, answer: answer, step: step.name, bounded: false)
            return
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(bytes, size)
    let index = Int(input.byte())
    let flags = ScenarioFlags(byte: input.byte())
    let chosen = scenario(index, flags)
    let walked = answers(input.rest())
    if flags.probe {
        walkProbe(chosen, walked)
    } else {
        walkDelivery(chosen, flags, walked)
    }
    return 0
}
