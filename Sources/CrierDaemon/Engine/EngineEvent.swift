import CrierCore
import Foundation

/// What the engine did, for observers: the preview builds its plan from these, tests assert on them.
public enum EngineEvent: Sendable {
    /// A post file was accepted (new or changed) with the variant of each of its channels.
    case accepted(post: Post, variants: [RenderedVariant])
    /// A delivery's first request went out (or, with the recording transport, would have).
    case sent(DeliveryKey, at: Date, text: String, deliveryID: String, step: StepRequest)
    /// A due delivery was put off: why, and until when (nil: until a pause is lifted).
    case held(DeliveryKey, reason: String, until: Date?)
    /// A delivery became final without being sent (failed, expired, cancelled).
    case ended(DeliveryKey, status: DeliveryStatus, reason: String?)
    /// A file was rejected.
    case rejected(file: String, error: PostFileError)
}
