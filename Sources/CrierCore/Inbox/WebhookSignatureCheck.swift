import Foundation

/// What a receiver concluded about a request's Standard Webhooks signature, and when it failed,
/// which check failed: the headers, the timestamp (replay window) or the signature itself.
public enum WebhookSignatureCheck: Sendable, Equatable {
    /// A secret was given and one of the request's `v1,` signatures matches it.
    case verified
    /// No secret was given, so nothing was checked. `signed`: the request carried a signature anyway.
    case notChecked(signed: Bool)
    /// `webhook-id`, `webhook-timestamp` and/or `webhook-signature` are absent or empty (in that order).
    case missingHeaders([String])
    /// `webhook-timestamp` is not Unix seconds, or is further from now than the tolerance.
    case badTimestamp(String)
    /// The headers and timestamp are fine, but no signature matches the secret.
    case badSignature

    /// Checks a request's headers and body against `key` (the bytes of a `whsec_…` secret; nil: no
    /// secret, nothing checked) at `now`, allowing timestamps within `tolerance` seconds of it.
    public init(headers: [HTTPHeader], body: Data, key: Data?, now: Date, tolerance: TimeInterval = 300) {
        let id = headers.value(for: "webhook-id")
        let timestamp = headers.value(for: "webhook-timestamp")
        let signatures = headers.value(for: "webhook-signature")
        guard let key else {
            self = .notChecked(signed: !(signatures ?? "").isEmpty)
            return
        }
        let missing = [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signatures)]
            .filter { ($0.1 ?? "").isEmpty }
            .map(\.0)
        guard missing.isEmpty, let timestamp else {
            self = .missingHeaders(missing)
            return
        }
        guard let seconds = Int(timestamp) else {
            self = .badTimestamp("webhook-timestamp '\(timestamp)' is not Unix seconds")
            return
        }
        let age = now.timeIntervalSince1970 - Double(seconds)
        guard abs(age) <= tolerance else {
            let distance = age > 0 ? "\(Int(age)) s old" : "\(Int(-age)) s in the future"
            self = .badTimestamp("webhook-timestamp \(seconds) is \(distance); at most \(Int(tolerance)) s are allowed")
            return
        }
        let problem = WebhookSignature.verificationProblem(
            id: id, timestamp: timestamp, signatures: signatures, body: body, key: key, now: now, tolerance: tolerance)
        self = problem == nil ? .verified : .badSignature
    }

    /// True when a secret was given and the request did not verify.
    public var failed: Bool {
        switch self {
        case .verified, .notChecked: return false
        case .missingHeaders, .badTimestamp, .badSignature: return true
        }
    }

    /// Which check failed and why, or nil when none failed.
    public var problem: String? {
        switch self {
        case .verified, .notChecked:
            return nil
        case .missingHeaders(let names):
            return "missing headers: \(names.joined(separator: ", "))"
        case .badTimestamp(let reason):
            return "bad timestamp: \(reason)"
        case .badSignature:
            return "bad signature: no webhook-signature matches the secret"
        }
    }
}
