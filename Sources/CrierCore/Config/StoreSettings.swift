import Foundation

/// `store:` in crier.yml: where the journal lives. `sqlite` (the default, nothing to set up) keeps
/// it in the queue's `.crier/journal.sqlite`; `postgres` shares one database between several
/// daemons, each with its own queue directory.
public struct StoreSettings: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case sqlite, postgres
    }

    public var kind: Kind = .sqlite
    /// A libpq connection URI or key=value string (`postgres://crier@db.internal/crier`), without the password.
    public var url: String?
    /// The database password, as a secret reference (nil: libpq's own `~/.pgpass` or a trusted socket).
    public var password: SecretReference?
    /// This daemon's name among the nodes sharing the database (nil: the host name and queue path).
    public var node: String?
    /// A delivery claimed by a node that has not renewed it for this long is taken over by another node.
    public var lease: TimeInterval = 10
    /// The config line of `store:` (and of `password:`), for messages.
    public var line: Int?
    public var passwordLine: Int?

    public init() {}
}
