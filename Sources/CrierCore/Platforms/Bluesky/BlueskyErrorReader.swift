import Foundation

/// An XRPC error answer (`{"error": "ExpiredToken", "message": "…"}`) and what crier does about it.
public struct BlueskyErrorReader: Sendable, Equatable {
    public var status: Int
    /// The XRPC error name (`ExpiredToken`, `InvalidToken`, `AccountTakedown`, `InvalidRequest`,
    /// `RecordNotFound`, `RateLimitExceeded`, …), or nil.
    public var error: String?
    public var message: String?

    public init(_ response: TransportResponse) {
        status = response.status
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        error = (json["error"] as? String).map(ReceiverMessage.clip)
        message = (json["message"] as? String).map(ReceiverMessage.clip)
    }

    /// `HTTP 400 InvalidRequest: message`.
    public var summary: String {
        "HTTP \(status)" + (error.map { " \($0)" } ?? "") + (message.map { ": \($0)" } ?? "")
    }

    /// The access token was refused as expired or unknown: renew the session and try again.
    public var isExpiredSession: Bool {
        error == "ExpiredToken" || error == "InvalidToken" || (status == 401 && error == "AuthenticationRequired")
    }

    public var isNotFound: Bool { error == "RecordNotFound" || (status == 400 && message?.contains("Could not locate record") == true) }
}
