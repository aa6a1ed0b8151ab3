/// One HTTP request of a delivery, as an adapter names it: `send`, `upload-media[2]`, `create`,
/// `publish`, `lookup`.
public struct StepRequest: Sendable, Equatable {
    public var name: String
    public var request: OutgoingRequest
    /// Whether sending this request twice can never make a second visible post: true for uploads,
    /// lookups, and creates that carry an idempotency key the platform honours (webhook-id, Matrix
    /// txnId, Mastodon `Idempotency-Key`, a Bluesky record key). False for a create without one: an
    /// answer that never came back then makes the delivery `unknown`, never a blind repeat.
    public var repeatSafe: Bool
    /// A step that changes the channel's session rather than the post (a login, a token refresh,
    /// resolving a room alias, reading the server's limits): the engine runs at most one per
    /// channel at a time, and the other deliveries of the channel wait for its answer.
    public var sessionStep: Bool
    /// Values the engine writes into the delivery's progress, durably, before this request goes out
    /// (with the uncertain mark of a step that is not repeat-safe): what a retry or a lookup must
    /// reuse even if the post is edited meanwhile, such as the record key a create names.
    public var remember: [String: String]

    public init(name: String, request: OutgoingRequest, repeatSafe: Bool, sessionStep: Bool = false, remember: [String: String] = [:]) {
        self.name = name
        self.request = request
        self.repeatSafe = repeatSafe
        self.sessionStep = sessionStep
        self.remember = remember
    }
}
