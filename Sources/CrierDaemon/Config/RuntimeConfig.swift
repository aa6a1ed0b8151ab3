import CrierCore
import Foundation

/// A validated config with every channel resolved: what the daemon runs on. Built by `ConfigLoader`;
/// replaced whole on reload.
public struct RuntimeConfig: Sendable {
    public var config: CrierConfig
    public var channels: [String: ResolvedChannel]
    /// Where it was loaded from, for messages.
    public var path: String
    /// The PostgreSQL password of `store.password`, resolved (nil: none set, or the store is SQLite).
    public var storePassword: Secret? = nil
}
