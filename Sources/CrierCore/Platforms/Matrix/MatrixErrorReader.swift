import Foundation

/// Reads a homeserver's error answer (`{"errcode": "M_…", "error": "…"}`, spec "Standard error
/// response") into what crier does: wait out `M_LIMIT_EXCEEDED`, retry 5xx by the generic rules, and
/// fail at once on everything else with the server's `errcode` and `error` and what to do.
public struct MatrixErrorReader: Sendable {
    /// The channel's name, for messages.
    public var channel: String
    /// The room as configured (id or alias), for messages.
    public var room: String

    public init(channel: String, room: String) {
        self.channel = channel
        self.room = room
    }

    /// The parts of a Matrix error body; empty strings when the body is not one.
    public struct Parsed: Sendable, Equatable {
        public var errcode: String
        public var error: String
        public var retryAfterMilliseconds: Int?
        public var softLogout: Bool
    }

    public static func parse(_ body: Data) -> Parsed {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        let retry = (object["retry_after_ms"] as? NSNumber)?.intValue
        return Parsed(errcode: ReceiverMessage.clip(object["errcode"] as? String ?? ""), error: ReceiverMessage.clip(object["error"] as? String ?? ""),
                      retryAfterMilliseconds: retry, softLogout: (object["soft_logout"] as? Bool) ?? false)
    }

    /// What a non-2xx answer to `step` means.
    public func answer(_ response: TransportResponse, to step: String) -> StepAnswer {
        let parsed = Self.parse(response.body)
        let said = parsed.errcode.isEmpty ? "HTTP \(response.status)" : "\(parsed.errcode): \(parsed.error.isEmpty ? "(no message)" : parsed.error)"
        if response.status == 429 || parsed.errcode == "M_LIMIT_EXCEEDED" {
            return .retry("matrix channel '\(channel)': \(step): rate limited by the homeserver (\(said))", after: Self.retryAfter(response, parsed))
        }
        if (500..<600).contains(response.status) || response.status == 408 { return .standard }
        return .failed("matrix channel '\(channel)': \(step): \(said); \(hint(parsed, status: response.status, step: step))")
    }

    /// `Retry-After` (seconds, spec v1.10), else the deprecated `retry_after_ms`; nil: the channel's backoff.
    static func retryAfter(_ response: TransportResponse, _ parsed: Parsed) -> TimeInterval? {
        if let header = response.headers.value(for: "Retry-After"), let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return TimeInterval(seconds)
        }
        return parsed.retryAfterMilliseconds.map { TimeInterval(max(0, $0)) / 1000 }
    }

    private func hint(_ parsed: Parsed, status: Int, step: String) -> String {
        switch parsed.errcode {
        case "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN":
            return parsed.softLogout
                ? "the access token has expired; give the channel a new `token`, or use `user` and `password` so crier logs in and refreshes by itself"
                : "the homeserver does not know the access token (revoked, or the device was logged out); give the channel a new `token`"
        case "M_FORBIDDEN":
            return step.hasPrefix("upload")
                ? "the homeserver refuses uploads from this account"
                : "invite the account to \(room) and join it (or give it the power level to post there)"
        case "M_NOT_FOUND":
            return step == "resolve-room"
                ? "no room has the alias \(room) on this homeserver; check `room:`"
                : "check `room:` (\(room)) and the channel's `url`"
        case "M_TOO_LARGE":
            return "the file is larger than the homeserver takes; make it smaller"
        case "M_UNRECOGNIZED":
            return "the homeserver does not serve this endpoint; check the channel's `url` (the homeserver's client API root)"
        default:
            return status == 401 ? "check the channel's `token`" : "fix what the homeserver says, then `crier retry` the post"
        }
    }
}
