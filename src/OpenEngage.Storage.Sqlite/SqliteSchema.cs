using Microsoft.Data.Sqlite;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The schema as an ordered list of migrations. <c>schema_version</c> records every migration
/// applied; a migration is never edited once released, only followed by a new one.
/// </summary>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<SchemaMigration> Migrations =
    [
        new(1, "profiles table", """
            CREATE TABLE profiles (
                project    TEXT NOT NULL,
                group_key  TEXT NOT NULL,
                id         TEXT NOT NULL,
                properties TEXT NOT NULL, -- a JSON object
                PRIMARY KEY (project, group_key, id)
            ) WITHOUT ROWID;
            """),

        // Filters read properties with SQLite's JSON functions on every row they scan; on the binary
        // JSONB form those functions find a key without parsing the whole object (about three
        // times cheaper per row than on JSON text, and the table is smaller). The table is rebuilt
        // rather than updated in place so the column declares what it holds.
        new(2, "profiles stored as SQLite JSONB", """
            CREATE TABLE profiles_jsonb (
                project    TEXT NOT NULL,
                group_key  TEXT NOT NULL,
                id         TEXT NOT NULL,
                properties BLOB NOT NULL, -- a JSON object in SQLite's JSONB form
                PRIMARY KEY (project, group_key, id)
            ) WITHOUT ROWID;
            INSERT INTO profiles_jsonb (project, group_key, id, properties)
                SELECT project, group_key, id, jsonb(properties) FROM profiles;
            DROP TABLE profiles;
            ALTER TABLE profiles_jsonb RENAME TO profiles;
            """),

        new(3, "saved filters (cohorts)", """
            CREATE TABLE saved_filters (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                project    TEXT NOT NULL,
                group_key  TEXT NOT NULL,
                name       TEXT NOT NULL,
                where_text TEXT NOT NULL,
                created_at TEXT NOT NULL
            );
            CREATE INDEX saved_filters_project ON saved_filters (project, id);
            """),

        // The identity map (contract §8): one row per linked id, naming its cluster's canonical id.
        new(4, "identity map", """
            CREATE TABLE identity_links (
                project   TEXT NOT NULL,
                id        TEXT NOT NULL,
                canonical TEXT NOT NULL,
                how       TEXT NOT NULL,
                via       TEXT,
                linked_at TEXT NOT NULL, -- ISO 8601, UTC
                PRIMARY KEY (project, id)
            ) WITHOUT ROWID;
            CREATE INDEX identity_links_canonical ON identity_links (project, canonical);
            """),

        // Written in the transaction of every profile write (see docs/history.md): profile_changes
        // is the change feed's source, one row per applied update that changed a profile, in
        // commit order; profile_history is each profile's record log in $time order: every
        // accepted update with the old and new value of every property it changed.
        new(5, "change log and property history", """
            CREATE TABLE profile_changes (
                seq       INTEGER PRIMARY KEY AUTOINCREMENT, -- commit order; the feed cursor
                project   TEXT NOT NULL,
                group_key TEXT NOT NULL,                     -- '' for user profiles, as in profiles
                id        TEXT NOT NULL,
                kind      TEXT NOT NULL,                     -- 'upsert' | 'delete'
                changed   TEXT NOT NULL,                     -- JSON object {name: new value}; '{}' on delete
                removed   TEXT NOT NULL,                     -- JSON array of removed names; '[]' on delete
                time      INTEGER NOT NULL,                  -- the update's $time, Unix ms
                received  INTEGER NOT NULL,                  -- arrival, Unix ms
                source    TEXT NOT NULL                      -- engage | groups | import | cli-import | ui | merge | gdpr | ...
            );
            CREATE INDEX profile_changes_received ON profile_changes (received);

            CREATE TABLE profile_history (
                seq        INTEGER PRIMARY KEY AUTOINCREMENT, -- commit order
                project    TEXT NOT NULL,
                group_key  TEXT NOT NULL,
                id         TEXT NOT NULL,
                time       INTEGER NOT NULL,                  -- the update's $time, Unix ms
                received   INTEGER NOT NULL,                  -- arrival, Unix ms
                source     TEXT NOT NULL,
                credential TEXT NOT NULL,                     -- the credential's name, never a secret
                kind       TEXT NOT NULL,                     -- 'create' | 'update' | 'delete' | 'none' (accepted, changed nothing)
                changes    TEXT NOT NULL,                     -- JSON object {name: {"old": v, "new": v}}; a missing old/new is an absent property
                record_json TEXT NOT NULL                     -- the update itself, to apply it again when a late record lands before it
            );
            CREATE INDEX profile_history_profile ON profile_history (project, group_key, id, time);
            CREATE INDEX profile_history_received ON profile_history (received);
            """),

        // Each webhook's durable position in the change feed (docs/changes.md). xid is always 0
        // here: one writer commits at a time, so seq alone orders the feed.
        new(6, "webhook delivery positions; change feed index", """
            CREATE TABLE webhook_cursors (
                webhook    TEXT    NOT NULL PRIMARY KEY,
                xid        INTEGER NOT NULL,
                seq        INTEGER NOT NULL,
                updated_at TEXT    NOT NULL
            );
            CREATE INDEX profile_changes_feed ON profile_changes (project, group_key, seq);
            """),

        // Each profile's history rows form a chain instead of a per-profile index (docs/history.md,
        // "Storage"): prev names the profile's previous row, and the head (its newest row and the
        // newest time of its rows) lives in the profile's row, or in log_heads while the profile has
        // no row. Appending a row then writes the table's last page and the profile row a group
        // rewrites anyway, where the index dirtied one page per profile at a random place.
        new(7, "property history as per-profile chains", """
            ALTER TABLE profile_history ADD COLUMN prev INTEGER; -- seq of the profile's previous row; NULL for its first
            UPDATE profile_history SET prev = ordered.prev
                FROM (SELECT seq, LAG(seq) OVER (PARTITION BY project, group_key, id ORDER BY time, seq) AS prev FROM profile_history) AS ordered
                WHERE profile_history.seq = ordered.seq AND ordered.prev IS NOT NULL;

            ALTER TABLE profiles ADD COLUMN log_seq INTEGER;  -- seq of the profile's newest history row
            ALTER TABLE profiles ADD COLUMN log_time INTEGER; -- the newest time of its history rows, Unix ms

            -- The heads of profiles with history and no row in profiles (deleted, or only no-op records).
            CREATE TABLE log_heads (
                project   TEXT NOT NULL,
                group_key TEXT NOT NULL,
                id        TEXT NOT NULL,
                log_seq   INTEGER NOT NULL,
                log_time  INTEGER NOT NULL,
                PRIMARY KEY (project, group_key, id)
            ) WITHOUT ROWID;

            CREATE TEMP TABLE migration_heads AS
                SELECT project, group_key, id, seq, time FROM (
                    SELECT project, group_key, id, seq, time,
                           ROW_NUMBER() OVER (PARTITION BY project, group_key, id ORDER BY time DESC, seq DESC) AS n
                    FROM profile_history)
                WHERE n = 1;
            UPDATE profiles SET log_seq = h.seq, log_time = h.time
                FROM migration_heads AS h
                WHERE profiles.project = h.project AND profiles.group_key = h.group_key AND profiles.id = h.id;
            INSERT INTO log_heads (project, group_key, id, log_seq, log_time)
                SELECT h.project, h.group_key, h.id, h.seq, h.time FROM migration_heads AS h
                WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.project = h.project AND p.group_key = h.group_key AND p.id = h.id);
            DROP TABLE migration_heads;

            DROP INDEX profile_history_profile;
            """),

        // One log row per update (docs/history.md, "Storage"): a history row that changed its profile
        // is also the change feed's row, so profile_changes becomes a view of profile_history. feed
        // says which a row is: 0 history only (a record that changed nothing, or one a late record
        // re-folded), 1 both, 2 feed only (off every chain: a late record's net effect, a row a late
        // record took off its chain, a privacy deletion's notice, or a row of the old change log).
        // The feed's cursors stay valid: the old change log's rows move into profile_history with
        // their seq, and the history rows move above every seq the change log ever handed out.
        new(8, "one log row per update: the change feed as a view of the history", """
            ALTER TABLE profile_history ADD COLUMN feed INTEGER NOT NULL DEFAULT 0;

            CREATE TEMP TABLE migration_shift AS SELECT max(
                coalesce((SELECT max(seq) FROM profile_history), 0),
                coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'profile_history'), 0),
                coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'profile_changes'), 0)) AS shift;
            UPDATE profile_history SET seq = seq + (SELECT shift FROM migration_shift), prev = prev + (SELECT shift FROM migration_shift);
            UPDATE profiles SET log_seq = log_seq + (SELECT shift FROM migration_shift) WHERE log_seq IS NOT NULL;
            UPDATE log_heads SET log_seq = log_seq + (SELECT shift FROM migration_shift);

            INSERT INTO profile_history (seq, project, group_key, id, time, received, source, credential, kind, changes, record_json, prev, feed)
                SELECT c.seq, c.project, c.group_key, c.id, c.time, c.received, c.source, '',
                       CASE c.kind WHEN 'delete' THEN 'delete' ELSE 'update' END,
                       CASE c.kind WHEN 'delete' THEN '{}' ELSE (
                           SELECT json_group_object(name, change) FROM (
                               SELECT key AS name, json_object('new', value) AS change FROM json_each(c.changed)
                               UNION ALL
                               SELECT value, json_object() FROM json_each(c.removed))) END,
                       '{}', NULL, 2
                FROM profile_changes AS c;
            UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM profile_history) WHERE name = 'profile_history'
                AND (SELECT max(seq) FROM profile_history) > seq;
            DROP TABLE migration_shift;

            DROP TABLE profile_changes;
            CREATE INDEX profile_history_feed ON profile_history (project, group_key, seq) WHERE feed > 0;
            CREATE VIEW profile_changes (seq, project, group_key, id, kind, changed, removed, time, received, source) AS
                SELECT seq, project, group_key, id,
                       CASE kind WHEN 'delete' THEN 'delete' ELSE 'upsert' END,
                       CASE kind WHEN 'delete' THEN '{}' ELSE (
                           SELECT json_group_object(key, json(value -> '$.new')) FROM json_each(changes) WHERE json_type(value, '$.new') IS NOT NULL) END,
                       CASE kind WHEN 'delete' THEN '[]' ELSE (
                           SELECT json_group_array(key) FROM json_each(changes) WHERE json_type(value, '$.new') IS NULL) END,
                       time, received, source
                FROM profile_history
                WHERE feed > 0;
            """),
    ];

    private static readonly SchemaMigrator Migrator = new(
        Migrations,
        """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL
        );
        """,
        "INSERT INTO schema_version (version, applied_at) VALUES ($version, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));",
        "$version",

        // A write transaction from the start: a second writer waits for it (busy timeout) and then
        // finds the schema current.
        static (connection, _) => Task.FromResult<System.Data.Common.DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false)));

    public static int LatestVersion => Migrator.LatestVersion;

    /// <summary>
    /// Brings the database to <see cref="LatestVersion"/> in one transaction and returns the
    /// versions it applied (none when the schema is already current). Microsoft.Data.Sqlite runs
    /// its asynchronous methods synchronously, so this blocks no other thread.
    /// </summary>
    public static IReadOnlyList<SchemaMigration> Migrate(SqliteConnection connection, Action<SchemaMigration>? starting = null) =>
        Migrator.MigrateAsync(connection, starting, CancellationToken.None).GetAwaiter().GetResult();
}
