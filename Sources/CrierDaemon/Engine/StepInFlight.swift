import CrierCore
import Foundation

/// One step whose request is out: what `DeliveryEngine.complete` needs to read its answer. Held by
/// reference, so the closures that carry it from `send` through the transport and back to the
/// engine's queue each retain one object instead of copying the delivery's context (the post, the
/// channel's config, the rendered part), the step and its progress, field by field, on every send.
final class StepInFlight: Sendable {
    let key: DeliveryKey
    let step: StepRequest
    /// The delivery's progress when the step was sent.
    let sentWith: DeliveryProgress
    let context: DeliveryContext
    let adapter: any PlatformAdapter
    let startedAt: Date

    init(key: DeliveryKey, step: StepRequest, sentWith: DeliveryProgress, context: DeliveryContext, adapter: any PlatformAdapter,
         startedAt: Date) {
        self.key = key
        self.step = step
        self.sentWith = sentWith
        self.context = context
        self.adapter = adapter
        self.startedAt = startedAt
    }
}
