import Foundation

/// An error answer of Meta's Graph APIs (Threads, Instagram, Facebook Pages):
/// `{"error":{"message","type","code","error_subcode","error_user_msg","fbtrace_id"}}`.
/// Sources: "Graph API — Handling Errors" https://developers.facebook.com/docs/graph-api/guides/error-handling
/// (190 invalid or expired token with subcodes 458/460/463/467; 4, 17, 32, 613 rate limits; 10 and
/// 200–299 permissions; 1 and 2 transient); Threads troubleshooting for 24/4279009 ("media not found"
/// right after a container is created); Instagram "Error Codes" for 9/2207042 (daily publishing limit)
/// and 9004/2207052, 2207003 (media fetch failed or timed out).
public struct GraphError: Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var type: String?
    public var code: Int?
    public var subcode: Int?
    /// The platform's words for end users, when it gives them.
    public var userMessage: String?

    public init(message: String, type: String? = nil, code: Int? = nil, subcode: Int? = nil, userMessage: String? = nil) {
        self.message = message
        self.type = type
        self.code = code
        self.subcode = subcode
        self.userMessage = userMessage
    }

    /// The error in a Graph answer's body, or nil when the body holds none.
    public static func parse(_ body: Data) -> GraphError? {
        guard let object = GraphJSON.object(body), let error = object["error"] as? [String: Any] else { return nil }
        return GraphError(message: ReceiverMessage.clip((error["message"] as? String) ?? "no message"),
                          type: (error["type"] as? String).map(ReceiverMessage.clip),
                          code: GraphJSON.int(error["code"]),
                          subcode: GraphJSON.int(error["error_subcode"]),
                          userMessage: (error["error_user_msg"] as? String).map(ReceiverMessage.clip))
    }

    /// The access token was refused: expired (463), revoked by the user (458), invalidated by a
    /// password change (460), or not a token at all (190 without subcode, 102).
    public var isTokenRefused: Bool { code == 190 || code == 102 }

    /// Why the token was refused, in the operator's words.
    public var tokenRefusal: String {
        switch subcode {
        case 463: return "it has expired"
        case 458: return "the account removed the app's access (revoked)"
        case 460: return "it was invalidated (the password was changed)"
        case 467: return "it is no longer valid (the session was logged out)"
        default: return "it is invalid, expired or revoked"
        }
    }

    /// Too many calls: application, account or page rate limits.
    public var isRateLimited: Bool {
        guard let code else { return false }
        return [4, 17, 32, 613].contains(code) || (80_001...80_014).contains(code)
    }

    /// The daily publishing limit (Instagram's `content_publishing_limit`, Threads' quota).
    public var isPublishingQuotaExhausted: Bool { subcode == 2_207_042 }

    /// A container created a moment ago that the publish endpoint cannot see yet: wait, try again.
    public var isMediaNotFoundRace: Bool { code == 24 && subcode == 4_279_009 }

    /// Meta could not fetch a media URL this time (timeout, fetch failure): worth another try.
    public var isTransientMediaFetch: Bool { code == 9_004 || subcode == 2_207_052 || subcode == 2_207_003 }

    /// A missing permission (scope) or a Page role that does not allow posting.
    public var isPermission: Bool {
        guard let code else { return false }
        return code == 10 || (200...299).contains(code)
    }

    /// Graph's "temporary problem, try again" codes.
    public var isTransient: Bool { code == 1 || code == 2 }

    /// `message (code N, subcode M)`; the user message when it says more.
    public var description: String {
        var text = message
        var numbers: [String] = []
        if let code { numbers.append("code \(code)") }
        if let subcode { numbers.append("subcode \(subcode)") }
        if !numbers.isEmpty { text += " (\(numbers.joined(separator: ", ")))" }
        if let userMessage, !userMessage.isEmpty, userMessage != message { text += ": \(userMessage)" }
        return text
    }
}
