/// Why `crier receive` could not start or keep serving; each message says what to do.
public enum WebhookReceiverError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host is not a loopback address.
    case notLoopback(host: String)
    /// The secret is not `whsec_` followed by base64.
    case badSecret
    /// The address could not be bound (in use, or not available on this machine).
    case cannotListen(address: String, reason: String)

    public var description: String {
        switch self {
        case .notLoopback(let host):
            return "'\(host)' is not a loopback address; the receiver listens on 127.0.0.0/8 or ::1 only, "
                + "so nothing outside this machine can reach it (use 127.0.0.1 or ::1)"
        case .badSecret:
            return "the secret must be a Standard Webhooks secret: 'whsec_' followed by base64"
        case .cannotListen(let address, let reason):
            return "cannot listen on \(address): \(reason) (is another receiver running there? pick another port)"
        }
    }
}
