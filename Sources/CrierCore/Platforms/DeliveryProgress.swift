/// How far a multi-step delivery has come, journaled after every step: what earlier steps yielded
/// that later ones need (a media id, a container id, a blob reference), which steps are done, and
/// whether a step's outcome is in doubt. A restart resumes from the last durable progress, so a
/// completed upload is never repeated.
public struct DeliveryProgress: Sendable, Equatable, Codable {
    /// Values yielded by earlier steps, by the adapter's own names (`media[1]`, `container`, ...).
    public var values: [String: String]
    /// Names of the steps that were answered, in order.
    public var done: [String]
    /// A step that is not safe to repeat whose request may have reached the platform without an
    /// answer coming back. Journaled *before* such a step is sent and cleared by its answer, so a
    /// crash mid-request leaves it set: the adapter must then look the result up (a reconcile step)
    /// or the delivery is held as `unknown` for the operator.
    public var uncertainStep: String?
    /// Failed tries of the step under way (the retry policy counts these); 0 after each step.
    public var stepAttempts: Int
    /// `.sessionExpired` answers in a row (a session that keeps being refused right after renewal
    /// is not renewed for ever).
    public var sessionRenewals: Int

    /// How many `.sessionExpired` answers in a row a delivery takes before it fails.
    public static let maxSessionRenewals = 3

    public init(values: [String: String] = [:], done: [String] = [], uncertainStep: String? = nil, stepAttempts: Int = 0,
                sessionRenewals: Int = 0) {
        self.values = values
        self.done = done
        self.uncertainStep = uncertainStep
        self.stepAttempts = stepAttempts
        self.sessionRenewals = sessionRenewals
    }

    private enum CodingKeys: String, CodingKey {
        case values, done, uncertainStep, stepAttempts, sessionRenewals
    }

    /// Reads progress journaled before `sessionRenewals` existed too.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        values = try container.decode([String: String].self, forKey: .values)
        done = try container.decode([String].self, forKey: .done)
        uncertainStep = try container.decodeIfPresent(String.self, forKey: .uncertainStep)
        stepAttempts = try container.decode(Int.self, forKey: .stepAttempts)
        sessionRenewals = try container.decodeIfPresent(Int.self, forKey: .sessionRenewals) ?? 0
    }

    public static let start = DeliveryProgress()

    /// The value name under which an adapter leaves a message for the operator (a chat that moved,
    /// a setting to update): the engine logs it at warning level when a step brings a new one.
    public static let warningKey = "warning"

    public var isStart: Bool { self == .start }

    /// No step has been answered and none is in doubt: the next request is the delivery's first, or
    /// a retry of it after a failed try — the request the channel's throttles count, every time it
    /// goes out (a retry reaches the platform like any other request).
    public var isAtFirstStep: Bool { done.isEmpty && uncertainStep == nil }

    /// Whether the step `name` was answered.
    public func isDone(_ name: String) -> Bool { done.contains(name) }

    /// This progress with `name` done and `values` added: what an adapter answers after a step.
    public func completing(_ name: String, values new: [String: String] = [:]) -> DeliveryProgress {
        var next = self
        if !next.done.contains(name) { next.done.append(name) }
        next.values.merge(new) { $1 }
        return next
    }
}
