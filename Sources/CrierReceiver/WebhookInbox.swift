import CrierCore
import Foundation

/// Receives crier's webhook events: verifies Standard Webhooks signatures, notices repeated
/// `webhook-id`s (retries) and keeps every arrival. Used by `crier receive` and by the tests as the
/// far end of a channel. Thread-safe.
public final class WebhookInbox: @unchecked Sendable {
    // Confinement: `arrivals` and `seen` are guarded by `lock`.
    /// One request as it arrived.
    public struct Arrival: Sendable {
        public var webhookID: String
        public var receivedAt: Date
        public var path: String
        /// Nil when the signature verified (or no key is configured and none was expected).
        public var signatureProblem: String?
        /// True when this `webhook-id` arrived before.
        public var isRepeat: Bool
        public var body: Data
        /// The decoded event's `data` object, when the body is a crier event.
        public var data: [String: any Sendable]
        public var status: Int

        public var post: String? { data["post"] as? String }
        public var channel: String? { data["channel"] as? String }
        public var text: String? { data["text"] as? String }
    }

    private let key: Data?
    private let lock = NSLock()
    private var arrivalsStorage: [Arrival] = []
    private var seen: Set<String> = []
    private let statusFor: @Sendable (ReceivedHTTPRequest, Int) -> Int

    /// - Parameters:
    ///   - secret: the channel's `whsec_…` secret; nil accepts unsigned events.
    ///   - status: the HTTP status to answer for a request, given how many requests came before it.
    public init(secret: String?, status: @escaping @Sendable (ReceivedHTTPRequest, Int) -> Int = { _, _ in 200 }) {
        self.key = secret.flatMap(WebhookSignature.key(fromSecret:))
        self.statusFor = status
    }

    public var arrivals: [Arrival] {
        lock.lock()
        defer { lock.unlock() }
        return arrivalsStorage
    }

    /// Handles one request (call from the server's handler) and returns the reply to send.
    public func receive(_ request: ReceivedHTTPRequest, now: Date = Date()) -> (Arrival, HTTPReply) {
        let id = request.headers.value(for: "webhook-id") ?? ""
        var problem: String?
        if let key {
            problem = WebhookSignature.verificationProblem(
                id: request.headers.value(for: "webhook-id"), timestamp: request.headers.value(for: "webhook-timestamp"),
                signatures: request.headers.value(for: "webhook-signature"), body: request.body, key: key, now: now)
        } else if request.headers.value(for: "webhook-signature") != nil {
            problem = "signed, but no secret given to check it with"
        }
        var data: [String: any Sendable] = [:]
        if let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
           let payload = object["data"] as? [String: Any] {
            for (key, value) in payload {
                switch value {
                case let string as String: data[key] = string
                case let number as NSNumber: data[key] = number.intValue
                case let list as [Any]: data[key] = list.map { "\($0)" }
                default: break
                }
            }
        }
        lock.lock()
        let isRepeat = !id.isEmpty && !seen.insert(id).inserted
        let status = problem == nil ? statusFor(request, arrivalsStorage.count) : 401
        let arrival = Arrival(webhookID: id, receivedAt: request.receivedAt, path: request.path, signatureProblem: problem,
                              isRepeat: isRepeat, body: request.body, data: data, status: status)
        arrivalsStorage.append(arrival)
        lock.unlock()
        let reply = status < 300
            ? HTTPReply(status: status, headers: [HTTPHeader("Content-Type", "application/json")], body: Data("{\"id\":\"\(id)\"}".utf8))
            : HTTPReply.text(problem ?? "simulated failure", status: status)
        return (arrival, reply)
    }
}
