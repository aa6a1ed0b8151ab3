import CrierCore
import Foundation

/// How `crier receive` shows what arrived: one line per request (time, channel, post, webhook-id,
/// what the signature check said, repeats) and the start of its text.
public enum ArrivalReport {
    /// Two lines, each ending in a newline.
    public static func lines(for arrival: WebhookInbox.Arrival) -> String {
        let time = TimestampFormat.string(arrival.receivedAt)
        let repeatNote = arrival.isRepeat ? " (repeat of an earlier delivery)" : ""
        var text = (arrival.text ?? String(decoding: arrival.body.prefix(200), as: UTF8.self))
            .replacingOccurrences(of: "\n", with: " ⏎ ")
        if text.count > 100 { text = String(text.prefix(100)) + "…" }
        let id = arrival.webhookID.isEmpty ? "-" : arrival.webhookID
        return "\(time) \(arrival.channel ?? "?") \(arrival.post ?? "?") \(id) \(signature(arrival.signature))\(repeatNote)\n"
            + "    \(text)\n"
    }

    /// What the check said, for people: `signature ok`, `signature not checked …`, `signature FAILED: …`.
    public static func signature(_ check: WebhookSignatureCheck) -> String {
        switch check {
        case .verified: return "signature ok"
        case .notChecked(let signed): return signed ? "signature not checked (signed, but no secret given)" : "signature not checked"
        case .missingHeaders, .badTimestamp, .badSignature: return "signature FAILED (\(check.problem ?? ""))"
        }
    }

    /// The closing line: how many arrived, repeats, and failed or unchecked signatures.
    public static func summary(of arrivals: [WebhookInbox.Arrival], checked: Bool) -> String {
        let repeats = arrivals.filter(\.isRepeat).count
        let signatures = checked
            ? "\(arrivals.filter { $0.signature.failed }.count) with bad signatures"
            : "signatures not checked (no secret)"
        return "\(arrivals.count) received, \(repeats) repeats, \(signatures)"
    }
}
