import Foundation

/// What crier keeps about a channel between deliveries, on the platform's behalf: a login's access
/// and refresh tokens, a resolved room id, a server's limits. Adapters choose the value names
/// (`access_token`, `refresh_token`, `did`, `room_id`, …); the engine stores the session in the
/// journal (durably, before any step uses it) and hands it to every delivery of the channel in
/// `DeliveryContext.session`. Values are credentials: `description` never prints them.
public struct ChannelSession: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Adapter-chosen values.
    public var values: [String: String]
    /// When the access credential expires, if the platform said.
    public var expiresAt: Date?
    /// Set by the engine after a step was answered `.sessionExpired`: the adapter's next step should
    /// renew the session (a refresh, or a login when the refresh credential is dead too).
    public var needsRenewal: Bool
    /// Bumped by the engine each time it stores a session, so an answer given to an older session
    /// does not mark a newer one for renewal.
    public var generation: Int
    /// A stand-in used by dry-runs and the preview, which never log in: every value reads as
    /// `placeholderValue`, so an adapter builds the requests it would send with a session.
    public var isPlaceholder: Bool

    public static let none = ChannelSession()
    public static let placeholder = ChannelSession(isPlaceholder: true)
    public static let placeholderValue = "(session)"

    public init(values: [String: String] = [:], expiresAt: Date? = nil, needsRenewal: Bool = false, generation: Int = 0,
                isPlaceholder: Bool = false) {
        self.values = values
        self.expiresAt = expiresAt
        self.needsRenewal = needsRenewal
        self.generation = generation
        self.isPlaceholder = isPlaceholder
    }

    /// Whether nothing is stored (a placeholder stands for a full session).
    public var isEmpty: Bool { values.isEmpty && !isPlaceholder }

    /// A value by name; adapters read through this (not `values`) so the placeholder works.
    public subscript(name: String) -> String? {
        get { values[name] ?? (isPlaceholder ? Self.placeholderValue : nil) }
        set { values[name] = newValue }
    }

    /// Names only, never values.
    public var description: String {
        "ChannelSession(\(values.keys.sorted().joined(separator: ", ")); generation \(generation)\(needsRenewal ? ", needs renewal" : ""))"
    }
}
