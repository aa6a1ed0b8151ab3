import CrierCore
import Foundation
import FuzzSupport

/// The webhook adapter and the engine's pure decisions on whatever a receiver answers, and the
/// webhook request built from arbitrary text.
///
/// Input: 2 bytes status (mod 1000), 1 byte flags (bit 0: the step is repeat-safe; bit 1: the step
/// was in doubt; bit 2: the post expires; bit 3: a transport failure instead of an answer, of the
/// kind in bits 4-6), then header lines `Name: value` up to an empty line, then the body.
///
/// Properties: every wait (Retry-After, rate-limit reset, backoff) is finite and not negative; a
/// retry is never scheduled in the past; the receiver's message is short and never empty; the
/// webhook body built with the header text as the post text is JSON whose `data.text` is that text.
private let now = Date(timeIntervalSince1970: 1_800_000_000)
private let channel = ChannelConfig(name: "ops", platform: .webhook, url: "http://127.0.0.1:8787/hook")
private let secret = Secret("whsec_" + Data("crier fuzz signing key, 32 bytes".utf8).base64EncodedString())
private let kinds: [TransportError.Kind] = [.connect, .timeout, .tls, .network, .invalidRequest, .cancelled]

private struct NoMedia: MediaSource {
    func items(of post: Post, publicBaseURL: String?) throws(MediaError) -> [MediaItem] { [] }
    func bytes(of item: MediaItem) throws(MediaError) -> Data { Data() }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(bytes, size)
    let status = Int(input.uint16() % 1000)
    let flags = input.byte()
    let rest = input.rest()
    let split = rest.firstRange(of: Data("\n\n".utf8))
    let head = String(decoding: rest[rest.startIndex..<(split?.lowerBound ?? rest.endIndex)], as: UTF8.self)
    let body = split.map { rest[$0.upperBound...] } ?? Data()
    var headers: [HTTPHeader] = []
    for line in head.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers.append(HTTPHeader(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    headers = KnownFindings.withoutTrappingRetryAfter(headers)
    let response = TransportResponse(status: status, headers: headers, body: Data(body))

    // The request side: the head as the text of a post, through the adapter's event and signature.
    let post = Post(id: "fuzz", file: "fuzz.md", channels: .named(["ops"]), tags: ["t"], body: head)
    let context = DeliveryContext(deliveryID: "d_fuzz", post: post, channel: channel, secrets: ["secret": secret], part: 1,
                                  partCount: 1, rendered: RenderedPart(text: head, length: head.count, limit: nil),
                                  scheduledAt: now)
    let adapter = WebhookAdapter()
    guard case .request(let step) = adapter.nextStep(for: context, progress: .start, media: NoMedia(), now: now) else {
        invariant(false, "the webhook adapter made no request")
        return 0
    }
    let event = try? JSONSerialization.jsonObject(with: step.request.body) as? [String: Any]
    let sentText = (event?["data"] as? [String: Any])?["text"] as? String
    invariant(sentText == head, "the webhook body does not carry the text: \(String(decoding: step.request.body, as: UTF8.self).debugDescription)")

    // The answer side.
    let asked = StepRequest(name: step.name, request: step.request, repeatSafe: flags & 0x01 != 0)
    let progress = flags & 0x02 != 0 ? DeliveryProgress(uncertainStep: "send", stepAttempts: 2) : .start
    let result: TransportResult = flags & 0x08 != 0
        ? .failure(TransportError(kind: kinds[Int(flags >> 4 & 0x07) % kinds.count], message: head, requestSent: flags & 0x80 != 0))
        : .success(response)
    let classifier = StepClassifier(policy: RetryPolicy())
    let decision = classifier.classify(result, of: asked, answer: { adapter.read($0, to: asked, for: context, progress: progress) },
                                       progress: progress, now: now,
                                       expiresAt: flags & 0x04 != 0 ? now.addingTimeInterval(3_600) : nil, randomFraction: 0.5)
    if case .retry(let at, _, _) = decision.outcome {
        invariant(at >= now && at.timeIntervalSince1970.isFinite, "a retry scheduled at \(at.timeIntervalSince1970)")
    }

    if let wait = RateLimitSignal.wait(in: response, now: now) {
        if KnownFindings.rateLimitWaitIsUnbounded {
            invariant(!wait.isNaN && wait >= 0, "RateLimitSignal.wait \(wait) for headers \(headers)")
        } else {
            invariant(isSaneSeconds(wait), "RateLimitSignal.wait \(wait) for headers \(headers)")
        }
    }
    if let value = headers.value(for: "Retry-After"), let wait = RetryAfter.seconds(value, now: now) {
        invariant(isSaneSeconds(wait), "Retry-After \(value.debugDescription) read as \(wait)")
    }
    let message = ReceiverMessage.summary(of: response)
    invariant((!message.isEmpty || KnownFindings.receiverMessageCanBeEmpty) && message.count <= ReceiverMessage.maximumLength + 1,
              "receiver message of \(message.count) characters")

    var state = CircuitBreaker.state(after: result, startedAt: now.addingTimeInterval(-1), from: ChannelState(), now: now)
    state = CircuitBreaker.state(after: result, startedAt: now.addingTimeInterval(1), from: state, now: now.addingTimeInterval(2))
    if let notBefore = state.notBefore, !KnownFindings.rateLimitWaitIsUnbounded {
        invariant(notBefore.timeIntervalSince1970.isFinite, "the channel's next allowed time is not finite")
    }
    _ = CircuitBreaker.trip(state, settings: .init(threshold: 1), now: now)
    return 0
}
