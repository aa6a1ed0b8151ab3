/// What the engine does next for a delivery, given the step its adapter asks for: the rule that a
/// step which is not safe to repeat is never sent while an earlier try of a step is in doubt.
public enum StepPlan: Sendable, Equatable {
    /// Send this step. `journalFirst`: the step is not repeat-safe, so the progress marking it
    /// uncertain must be durable before the request goes out (a crash mid-request then leaves a
    /// trace, and the restart looks the result up instead of posting again).
    case send(StepRequest, journalFirst: Bool)
    /// The delivery ends without another request (sent, or failed with the adapter's reason).
    case finish(AttemptOutcome)
    /// Held as `unknown` for the operator, with the reason.
    case holdUnknown(String)

    public static func next(_ step: AdapterStep, progress: DeliveryProgress, lastStatus: Int?) -> StepPlan {
        switch step {
        case .done(let remote):
            return .finish(.sent(remote, httpStatus: lastStatus ?? 200))
        case .fail(let reason):
            return .finish(.failed(reason: reason, httpStatus: nil))
        case .request(let request):
            if let uncertain = progress.uncertainStep, !request.repeatSafe {
                return .holdUnknown("step '\(uncertain)' may have reached the platform, no answer came back, and it cannot be looked up")
            }
            return .send(request, journalFirst: !request.repeatSafe)
        }
    }
}
