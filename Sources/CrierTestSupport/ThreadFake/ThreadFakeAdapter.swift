import CrierCore
import Foundation

/// The adapter of the test platform `ThreadFakeServer` speaks: two steps per part — `prepare` (a
/// draft replying to the previous part; repeat-safe) and `publish` (not repeat-safe) — and, with
/// `lookups`, a `lookup` that finds out whether a publish whose answer was lost went through.
/// It exercises every path of the step seam a real multi-step platform takes.
public struct ThreadFakeAdapter: PlatformAdapter {
    /// Whether the adapter looks up a publish whose answer was lost (else it is held as unknown).
    public var lookups: Bool

    public init(lookups: Bool) {
        self.lookups = lookups
    }

    public func nextStep(for context: DeliveryContext, progress: DeliveryProgress, media: any MediaSource, now: Date) -> AdapterStep {
        let base = context.channel.url
        if progress.uncertainStep == "publish", lookups, let draft = progress.values["draft"] {
            return .request(StepRequest(name: "lookup", request: OutgoingRequest(method: "GET", url: "\(base)/posts?draft=\(draft)",
                                                                                    label: context.deliveryID), repeatSafe: true))
        }
        if !progress.isDone("prepare") {
            if context.part > 1, context.replyTo?.id == nil {
                return .fail("part \(context.part) has nothing to reply to: part \(context.part - 1) has no remote id")
            }
            var body: [String: Any] = ["text": context.text]
            if let parent = context.replyTo?.id { body["reply_to"] = parent }
            return .request(StepRequest(name: "prepare", request: post("\(base)/drafts", body, label: context.deliveryID), repeatSafe: true))
        }
        if !progress.isDone("publish"), let draft = progress.values["draft"] {
            return .request(StepRequest(name: "publish", request: post("\(base)/publish", ["draft": draft], label: context.deliveryID),
                                        repeatSafe: false))
        }
        return .done(RemoteReference(id: progress.values["id"], url: progress.values["url"]))
    }

    public func read(_ response: TransportResponse, to step: StepRequest, for context: DeliveryContext,
                     progress: DeliveryProgress) -> StepAnswer {
        guard (200..<300).contains(response.status) else { return .standard }
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        switch step.name {
        case "prepare":
            guard let draft = json["draft"] as? String else { return .failed("prepare: the answer has no draft id") }
            return .advanced(progress.completing("prepare", values: ["draft": draft]))
        case "publish":
            return .sent(RemoteReference(id: json["id"] as? String, url: json["url"] as? String))
        case "lookup":
            guard let found = (json["posts"] as? [[String: Any]])?.first else {
                return .advanced(progress)  // not published: publishing again is safe
            }
            return .sent(RemoteReference(id: found["id"] as? String, url: found["url"] as? String))
        default:
            return .failed("no such step \(step.name)")
        }
    }

    private func post(_ url: String, _ body: [String: Any], label: String) -> OutgoingRequest {
        OutgoingRequest(method: "POST", url: url, headers: [HTTPHeader("Content-Type", "application/json")],
                        body: (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data(), label: label)
    }
}
