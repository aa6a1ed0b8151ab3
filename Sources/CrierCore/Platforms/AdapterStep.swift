/// What an adapter says comes next for a delivery, given its progress.
public enum AdapterStep: Sendable, Equatable {
    /// Make this request.
    case request(StepRequest)
    /// Nothing more to send: the delivery is sent, with what the platform calls it.
    case done(RemoteReference?)
    /// It cannot be sent as it is (a secret in the wrong shape, a missing setting): a permanent
    /// failure, with what to fix.
    case fail(String)
}
