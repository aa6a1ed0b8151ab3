import Foundation
import Synchronization

/// The far end of a webhook channel: checks Standard Webhooks signatures, notices repeated
/// `webhook-id`s (retries) and keeps every arrival. Used by `crier receive` and by the tests'
/// `WebhookSink`; it knows nothing about the server in front of it. Thread-safe: what it keeps is
/// behind one mutex.
public final class WebhookInbox: Sendable {
    /// One request as it arrived.
    public struct Arrival: Sendable {
        public var webhookID: String
        public var receivedAt: Date
        public var path: String
        public var signature: WebhookSignatureCheck
        /// True when this `webhook-id` arrived before.
        public var isRepeat: Bool
        public var body: Data
        /// The decoded event's `data` object, when the body is a crier event.
        public var data: [String: any Sendable]
        public var status: Int

        /// Which signature check failed, or nil when none failed (verified, or no secret to check with).
        public var signatureProblem: String? { signature.problem }
        public var post: String? { data["post"] as? String }
        public var channel: String? { data["channel"] as? String }
        public var text: String? { data["text"] as? String }
    }

    /// What to answer: `{"id": webhook-id}` as JSON when accepted, else the problem as text.
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: Data
    }

    /// True when a secret was given: signatures are checked.
    public let checksSignatures: Bool
    private struct Kept {
        var arrivals: [Arrival] = []
        var seen: Set<String> = []
    }

    private let key: Data?
    private let kept = Mutex(Kept())
    private let statusFor: @Sendable (ReceivedHTTPRequest, Int) -> Int

    /// - Parameters:
    ///   - secret: the channel's `whsec_…` secret; nil accepts every request and checks nothing.
    ///   - status: the HTTP status to answer for a request that passed the checks, given how many
    ///     requests came before it. A request that fails them gets 401.
    public init(secret: String?, status: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Int = { _, _ in 200 }) {
        self.key = secret.flatMap(WebhookSignature.key(fromSecret:))
        self.checksSignatures = key != nil
        self.statusFor = status
    }

    public var arrivals: [Arrival] { kept.withLock { $0.arrivals } }

    /// How many requests arrived so far.
    public var count: Int { kept.withLock { $0.arrivals.count } }

    /// Handles one request (call from the server's handler) and returns what to answer.
    public func receive(_ request: ReceivedHTTPRequest, now: Date = Date()) -> (Arrival, Reply) {
        let id = request.headers.value(for: "webhook-id") ?? ""
        let signature = WebhookSignatureCheck(headers: request.headers, body: request.body, key: key, now: now)
        let data = Self.eventData(request.body)
        let arrival = kept.withLock { kept in
            let isRepeat = !id.isEmpty && !kept.seen.insert(id).inserted
            let status = signature.failed ? 401 : statusFor(request, kept.arrivals.count)
            let arrival = Arrival(webhookID: id, receivedAt: request.receivedAt, path: request.path, signature: signature,
                                  isRepeat: isRepeat, body: request.body, data: data, status: status)
            kept.arrivals.append(arrival)
            return arrival
        }
        let status = arrival.status
        let reply = status < 300
            ? Reply(status: status, contentType: "application/json", body: Data("{\"id\":\"\(id)\"}".utf8))
            : Reply(status: status, contentType: "text/plain; charset=utf-8", body: Data((signature.problem ?? "simulated failure").utf8))
        return (arrival, reply)
    }

    /// The `data` object of a crier event: strings, numbers (as Int) and lists (as strings).
    private static func eventData(_ body: Data) -> [String: any Sendable] {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let payload = object["data"] as? [String: Any] else { return [:] }
        var data: [String: any Sendable] = [:]
        for (key, value) in payload {
            switch value {
            case let string as String: data[key] = string
            case let number as NSNumber: data[key] = number.intValue
            case let list as [Any]: data[key] = list.map { "\($0)" }
            default: break
            }
        }
        return data
    }
}
