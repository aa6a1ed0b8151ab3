import Foundation

/// `crier migrate` and the schema check every daemon and command makes before using the shared
/// journal. The applied version is a row of `crier_schema`; each migration runs in its own
/// transaction under an advisory lock, so two nodes migrating at once take turns and a failed one
/// leaves the previous version whole.
public enum PostgresMigrator {
    public enum Status: Sendable, Equatable {
        case missing
        case behind(Int)
        case current
        case ahead(Int)
    }

    /// The schema version in the database, compared with this build's.
    public static func status(_ db: PostgresConnection) throws(PostgresError) -> Status {
        let exists = try db.query("SELECT to_regclass('crier_schema') IS NOT NULL").first?.bool(0) ?? false
        guard exists else { return .missing }
        let version = try db.query("SELECT COALESCE(MAX(version), 0) FROM crier_schema").first?.int(0) ?? 0
        if version == 0 { return .missing }
        if version < PostgresSchema.current { return .behind(version) }
        if version > PostgresSchema.current { return .ahead(version) }
        return .current
    }

    /// Throws, saying what to do, unless the schema is the one this build uses.
    public static func requireCurrent(_ db: PostgresConnection) throws(PostgresError) {
        switch try status(db) {
        case .current:
            return
        case .missing:
            throw PostgresError("the database has no crier schema yet; create it with `crier migrate --config CONFIG`")
        case .behind(let version):
            throw PostgresError("the crier schema is version \(version), this crier needs \(PostgresSchema.current); "
                                + "upgrade it with `crier migrate --config CONFIG` (stop or upgrade every node first)")
        case .ahead(let version):
            throw PostgresError("the crier schema is version \(version), newer than this crier understands (\(PostgresSchema.current)); "
                                + "a newer crier migrated it: upgrade crier on this node, never downgrade the schema")
        }
    }

    /// Applies the missing migrations; returns the versions applied (empty: already current).
    /// Refuses a schema newer than this build.
    public static func migrate(_ db: PostgresConnection) throws(PostgresError) -> [Int] {
        var applied: [Int] = []
        try db.transaction { () throws(PostgresError) in
            try db.query("SELECT pg_advisory_xact_lock($1)", [PostgresSchema.migrationLock])
            try db.execute("""
                CREATE TABLE IF NOT EXISTS crier_schema (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let version = try db.query("SELECT COALESCE(MAX(version), 0) FROM crier_schema").first?.int(0) ?? 0
            if version > PostgresSchema.current {
                throw PostgresError("the crier schema is version \(version), newer than this crier understands (\(PostgresSchema.current)); "
                                    + "upgrade crier instead")
            }
            for migration in PostgresSchema.migrations where migration.version > version {
                try db.execute(migration.sql)
                try db.query("INSERT INTO crier_schema (version, name) VALUES ($1, $2)", [migration.version, migration.name])
                applied.append(migration.version)
            }
        }
        return applied
    }
}
