import CrierCore
import CrierTestSupport
import Foundation

/// What the receivers of a cluster test saw, read as a receiver that drops repeats by `webhook-id`
/// would: each (post, channel) must have been accepted under exactly one `webhook-id` (a second id
/// means two deliveries of one post: a double), and nothing else may have been accepted.
struct DeliveryLedger {
    struct Key: Hashable, Comparable, CustomStringConvertible {
        var post: String
        var channel: String
        var description: String { "\(post)→\(channel)" }
        static func < (a: Key, b: Key) -> Bool { (a.post, a.channel) < (b.post, b.channel) }
    }

    /// Accepted (2xx) `webhook-id`s of each (post, channel), with how often each was accepted.
    private(set) var accepted: [Key: [String: Int]] = [:]
    /// Requests of every status (refused and reset ones included), per channel.
    private(set) var requests: [String: Int] = [:]
    /// Accepted requests whose `webhook-id` had been accepted before: the same delivery again after
    /// an answer was lost (a reset, a kill after the answer, a lease that ran out while the database
    /// was away). A receiver drops them; they are counted, not failed.
    private(set) var repeats = 0
    /// Requests whose signature did not verify.
    private(set) var badSignatures: [String] = []

    init(_ sinks: [String: WebhookSink]) {
        for (channel, sink) in sinks {
            for arrival in sink.inbox.arrivals {
                requests[channel, default: 0] += 1
                if let problem = arrival.signatureProblem { badSignatures.append("\(channel): \(problem)") }
                guard (200..<300).contains(arrival.status) else { continue }
                let key = Key(post: arrival.post ?? "?", channel: arrival.channel ?? channel)
                let times = accepted[key, default: [:]][arrival.webhookID, default: 0]
                if times > 0 { repeats += 1 }
                accepted[key, default: [:]][arrival.webhookID] = times + 1
            }
        }
    }

    /// Doubles, missing and unexpected deliveries against `expected` (post id → its channels).
    func problems(expected: [String: [String]]) -> [String] {
        var problems = badSignatures
        var wanted: Set<Key> = []
        for (post, channels) in expected {
            for channel in channels { wanted.insert(Key(post: post, channel: channel)) }
        }
        for key in wanted.sorted() {
            let ids = accepted[key] ?? [:]
            if ids.isEmpty { problems.append("\(key): never accepted") }
            if ids.count > 1 { problems.append("\(key): accepted under \(ids.count) webhook-ids \(ids.keys.sorted()) (a double)") }
        }
        for key in accepted.keys.sorted() where !wanted.contains(key) {
            problems.append("\(key): accepted but never dropped")
        }
        return problems
    }

    /// Arrival times of every request on one channel: the inbox's (refused and reset ones included)
    /// and those a fault kept from it (a stalled request still reached the receiver).
    static func requestTimes(_ sink: WebhookSink) -> [Date] {
        let faultedOnly = sink.faulted.filter { $0.fault != .dropAfterActing }.map(\.receivedAt)
        return (sink.inbox.arrivals.map(\.receivedAt) + faultedOnly).sorted()
    }

    /// Pairs of requests on one channel closer than `gap` minus `slack` (every request counts:
    /// the receiver cannot tell a refused or reset one from any other).
    static func gapViolations(_ sink: WebhookSink, channel: String, gap: TimeInterval, slack: TimeInterval) -> [String] {
        let times = requestTimes(sink)
        var found: [String] = []
        for (a, b) in zip(times, times.dropFirst()) where b.timeIntervalSince(a) < gap - slack {
            found.append(String(format: "%@: %.3f s between two requests (min_gap %.1f s)", channel, b.timeIntervalSince(a), gap))
        }
        return found
    }
}
