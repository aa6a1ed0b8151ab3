import Foundation

/// The shared journal's schema in PostgreSQL, as numbered migrations. `crier migrate` applies the
/// missing ones, each in its own transaction under an advisory lock (two nodes migrating at once
/// take turns); a daemon never migrates: it refuses to start on a schema older or newer than the one
/// it was built for and says what to do.
///
/// The tables mirror the SQLite journal's (times are epoch seconds in `double precision`, as there),
/// plus what several daemons need: which node a post was dropped on (`post.origin`) and its source
/// text and media files (`post_media`, kept while the post is pending: any node can deliver it), which node holds a delivery and until when (`delivery.claimed_by`,
/// `lease_until`), the nodes and their heartbeats, sends still in flight (`send_log.in_flight`), and a
/// control version that pauses, resolutions and approvals bump (`NOTIFY crier_control`).
public enum PostgresSchema {
    public static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "journal", """
            CREATE TABLE post (
                id text PRIMARY KEY,
                file text NOT NULL,
                content_hash text NOT NULL,
                state text NOT NULL,
                scheduled_at double precision NOT NULL,
                expires_at double precision,
                accepted_at double precision NOT NULL,
                finished_at double precision,
                queued_by text,
                file_inode bigint,
                file_size bigint,
                file_mtime_ns bigint,
                file_owner bigint,
                origin text NOT NULL,
                source bytea,
                changed_seq bigserial
            );
            CREATE INDEX post_pending ON post (origin) WHERE state = 'pending';
            CREATE INDEX post_changed ON post (changed_seq);
            CREATE TABLE delivery (
                id text PRIMARY KEY,
                post_id text NOT NULL REFERENCES post (id),
                channel text NOT NULL,
                part integer NOT NULL,
                status text NOT NULL,
                attempts integer NOT NULL,
                due_at double precision,
                finished_at double precision,
                http_status integer,
                error text,
                remote_id text,
                remote_url text,
                progress text,
                claimed_by text,
                lease_until double precision,
                UNIQUE (post_id, channel, part)
            );
            CREATE INDEX delivery_failures ON delivery (finished_at) WHERE status IN ('failed', 'expired');
            CREATE INDEX delivery_unknown ON delivery (post_id) WHERE status = 'unknown';
            CREATE INDEX delivery_pending ON delivery (channel, due_at) WHERE status = 'pending';
            CREATE INDEX delivery_claims ON delivery (claimed_by) WHERE claimed_by IS NOT NULL;
            CREATE TABLE send_log (
                channel text NOT NULL,
                at double precision NOT NULL,
                post_id text NOT NULL,
                delivery_id text NOT NULL,
                text text NOT NULL,
                in_flight boolean NOT NULL DEFAULT false,
                node text,
                UNIQUE (delivery_id, at)
            );
            CREATE INDEX send_log_channel_at ON send_log (channel, at);
            CREATE TABLE channel_state (
                channel text PRIMARY KEY,
                not_before double precision,
                consecutive_failures integer NOT NULL DEFAULT 0,
                last_failure_at double precision,
                open_until double precision,
                cooldown double precision NOT NULL DEFAULT 0
            );
            CREATE TABLE pause (
                scope text PRIMARY KEY,
                reason text NOT NULL,
                paused_by text NOT NULL,
                paused_at double precision NOT NULL
            );
            CREATE TABLE resolution (
                delivery_id text PRIMARY KEY,
                post_id text NOT NULL,
                channel text NOT NULL,
                part integer NOT NULL,
                sent boolean NOT NULL,
                remote_url text,
                resolved_by text NOT NULL,
                resolved_at double precision NOT NULL
            );
            CREATE TABLE channel_session (
                channel text PRIMARY KEY,
                session text NOT NULL,
                updated_at double precision NOT NULL
            );
            CREATE TABLE approval (
                post_id text NOT NULL,
                channel text NOT NULL,
                state text NOT NULL,
                content_hash text NOT NULL,
                actor text,
                at double precision NOT NULL,
                note text,
                planned_at double precision,
                PRIMARY KEY (post_id, channel)
            );
            CREATE TABLE event_log (
                id bigserial PRIMARY KEY,
                at double precision NOT NULL,
                post_id text,
                channel text,
                actor text NOT NULL,
                action text NOT NULL,
                detail text
            );
            CREATE INDEX event_log_at ON event_log (at);
            CREATE INDEX event_log_post ON event_log (post_id, at);
            CREATE TABLE node (
                name text PRIMARY KEY,
                queue text NOT NULL,
                started_at double precision NOT NULL,
                heartbeat_at double precision NOT NULL,
                connected boolean NOT NULL DEFAULT true
            );
            CREATE TABLE control (
                id integer PRIMARY KEY CHECK (id = 1),
                version bigint NOT NULL
            );
            INSERT INTO control (id, version) VALUES (1, 0);
            """),
        (2, "post media", """
            CREATE TABLE post_media (
                post_id text NOT NULL REFERENCES post (id) ON DELETE CASCADE,
                file text NOT NULL,
                bytes bytea NOT NULL,
                PRIMARY KEY (post_id, file)
            );
            ALTER TABLE post_media ALTER COLUMN bytes SET STORAGE EXTERNAL;
            """),
    ]

    /// The schema version this build of crier reads and writes.
    public static var current: Int { migrations.last?.version ?? 0 }

    /// Advisory lock key of `crier migrate` (any number no other application on the database uses).
    static let migrationLock = 0x6372_6965_7201
}
