using System.Data.Common;
using Npgsql;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>
/// The schema as an ordered list of migrations. <c>schema_version</c> records every migration
/// applied; a migration is never edited once released, only followed by a new one.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>
    /// The advisory lock (two-key form, so it never meets the one-key profile locks) that
    /// serializes migrations when several nodes start at once.
    /// </summary>
    private const int LockClass = 0x4f45, LockMigrations = 1;

    public static readonly IReadOnlyList<SchemaMigration> Migrations =
    [
        new(1, "profiles table", """
            CREATE TABLE profiles (
                project    text  NOT NULL,
                group_key  text  NOT NULL,
                id         text  NOT NULL,
                properties jsonb NOT NULL,
                PRIMARY KEY (project, group_key, id)
            );
            """),

        // Serves where filters that test equality with a string or boolean, written as containment
        // (properties @> '{"plan": "pro"}'); jsonb_path_ops is the smaller GIN operator class and
        // supports exactly @>. See docs/benchmarks.md (PostgreSQL) for what it gains and costs.
        new(2, "GIN index on properties (jsonb_path_ops)", """
            CREATE INDEX profiles_properties ON profiles USING gin (properties jsonb_path_ops);
            """),

        new(3, "saved filters (cohorts)", """
            CREATE TABLE saved_filters (
                id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                project    text        NOT NULL,
                group_key  text        NOT NULL,
                name       text        NOT NULL,
                where_text text        NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX saved_filters_project ON saved_filters (project, id);
            """),

        // The identity map (contract §8): one row per linked id, naming its cluster's canonical id.
        new(4, "identity map", """
            CREATE TABLE identity_links (
                project   text        NOT NULL,
                id        text        NOT NULL,
                canonical text        NOT NULL,
                how       text        NOT NULL,
                via       text,
                linked_at timestamptz NOT NULL,
                PRIMARY KEY (project, id)
            );
            CREATE INDEX identity_links_canonical ON identity_links (project, canonical);
            """),

        // Written in the transaction of every profile write (see docs/history.md). xid lets a
        // reader of profile_changes return only rows no smaller seq can still commit before.
        new(5, "change log and property history", """
            CREATE TABLE profile_changes (
                seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                project   text   NOT NULL,
                group_key text   NOT NULL,
                id        text   NOT NULL,
                kind      text   NOT NULL,
                changed   jsonb  NOT NULL,
                removed   jsonb  NOT NULL,
                time      bigint NOT NULL,
                received  bigint NOT NULL,
                source    text   NOT NULL,
                xid       xid8   NOT NULL DEFAULT pg_current_xact_id()
            );
            CREATE INDEX profile_changes_received ON profile_changes (received);

            CREATE TABLE profile_history (
                seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                project    text   NOT NULL,
                group_key  text   NOT NULL,
                id         text   NOT NULL,
                time       bigint NOT NULL,
                received   bigint NOT NULL,
                source     text   NOT NULL,
                credential text   NOT NULL,
                kind       text   NOT NULL,
                changes    jsonb  NOT NULL,
                record_json text  NOT NULL
            );
            CREATE INDEX profile_history_profile ON profile_history (project, group_key, id, time, seq);
            CREATE INDEX profile_history_received ON profile_history (received);
            """),

        // Each webhook's durable position in the change feed (docs/changes.md): the writing
        // transaction's id and the sequence number, the feed's order on PostgreSQL.
        new(6, "webhook delivery positions; change feed index", """
            CREATE TABLE webhook_cursors (
                webhook    text        NOT NULL PRIMARY KEY,
                xid        bigint      NOT NULL,
                seq        bigint      NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX profile_changes_feed ON profile_changes (project, group_key, xid, seq);
            """),

        // One log row per update (docs/history.md, "Storage"): a history row that changed its
        // profile in order is also its change-feed row (feed = true, with the writing
        // transaction's id); profile_changes keeps only the feed rows no history row says (a late
        // record's net effect, privacy deletions, merges). Both tables draw seq from one sequence,
        // so (xid, seq) is unique across them; rows already written keep their (xid, seq), and
        // with them every reader's and webhook's position.
        //
        // A history row's diff is kept as the text the store wrote (it was jsonb): nothing queries
        // inside it but the feed's derivation below, which parses it for the rows it returns, while
        // jsonb parsed it on every insert (about half of a row's cost, docs/benchmarks.md). This
        // rewrites the table once.
        new(7, "one log row per update: history rows serve the change feed", """
            ALTER TABLE profile_history ALTER COLUMN changes TYPE text USING changes::text;
            ALTER TABLE profile_history ADD COLUMN xid xid8;
            ALTER TABLE profile_history ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
            ALTER TABLE profile_history ADD COLUMN feed boolean NOT NULL DEFAULT false;
            CREATE INDEX profile_history_feed_order ON profile_history (project, group_key, xid, seq) WHERE feed;

            SELECT setval('profile_history_seq_seq',
                greatest((SELECT last_value FROM profile_history_seq_seq), (SELECT last_value FROM profile_changes_seq_seq)));
            ALTER TABLE profile_changes ALTER COLUMN seq DROP IDENTITY;
            ALTER TABLE profile_changes ALTER COLUMN seq SET DEFAULT nextval('profile_history_seq_seq');

            -- A history row in the change log's shape: its kind, changed (each new value of the
            -- diff) and removed (the names the diff removed).
            CREATE FUNCTION profile_feed_kind(kind text) RETURNS text
                LANGUAGE sql IMMUTABLE PARALLEL SAFE
                AS $$ SELECT CASE kind WHEN 'delete' THEN 'delete' ELSE 'upsert' END $$;
            CREATE FUNCTION profile_feed_changed(kind text, changes text) RETURNS jsonb
                LANGUAGE sql IMMUTABLE PARALLEL SAFE
                AS $$ SELECT CASE kind WHEN 'delete' THEN '{}'::jsonb ELSE coalesce(
                    (SELECT jsonb_object_agg(c.key, c.value -> 'new') FROM jsonb_each(changes::jsonb) AS c WHERE c.value ? 'new'),
                    '{}'::jsonb) END $$;
            CREATE FUNCTION profile_feed_removed(kind text, changes text) RETURNS jsonb
                LANGUAGE sql IMMUTABLE PARALLEL SAFE
                AS $$ SELECT CASE kind WHEN 'delete' THEN '[]'::jsonb ELSE coalesce(
                    (SELECT jsonb_agg(c.key) FROM jsonb_each(changes::jsonb) AS c WHERE NOT c.value ? 'new'),
                    '[]'::jsonb) END $$;

            -- The whole feed as one relation, for reading by hand (the server reads each table
            -- through its own index instead).
            CREATE VIEW profile_feed AS
                SELECT xid, seq, project, group_key, id, kind, changed, removed, time, received, source FROM profile_changes
                UNION ALL
                SELECT xid, seq, project, group_key, id, profile_feed_kind(kind), profile_feed_changed(kind, changes),
                       profile_feed_removed(kind, changes), time, received, source
                FROM profile_history
                WHERE feed;
            """),

        // The newest time of each profile's history rows, which a group needs to tell a late record
        // (docs/history.md, "Time order"): in the profile's row, or in log_heads while the profile
        // has history and no row (deleted, or only records that changed nothing). A group reads it
        // with the profiles instead of looking up every key's newest history row.
        new(8, "the newest history time in the profile row (log_time, log_heads)", """
            ALTER TABLE profiles ADD COLUMN log_time bigint;
            CREATE TABLE log_heads (
                project   text   NOT NULL,
                group_key text   NOT NULL,
                id        text   NOT NULL,
                log_time  bigint NOT NULL,
                PRIMARY KEY (project, group_key, id)
            );

            CREATE TEMP TABLE migration_heads ON COMMIT DROP AS
                SELECT project, group_key, id, max(time) AS log_time FROM profile_history GROUP BY project, group_key, id;
            UPDATE profiles p SET log_time = h.log_time
                FROM migration_heads h
                WHERE p.project = h.project AND p.group_key = h.group_key AND p.id = h.id;
            INSERT INTO log_heads (project, group_key, id, log_time)
                SELECT h.project, h.group_key, h.id, h.log_time FROM migration_heads h
                WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.project = h.project AND p.group_key = h.group_key AND p.id = h.id);
            """),

        // A profile's history rows are found by its id through a hash index, and sorted by time
        // once read (a profile has few). The B-tree over (project, group_key, id, time, seq) it
        // replaces took each new row at a random leaf, as many key comparisons again, and twice
        // the time per row in a write (docs/benchmarks.md, "History on PostgreSQL").
        new(9, "profile history found by id through a hash index", """
            CREATE INDEX profile_history_id ON profile_history USING hash (id);
            DROP INDEX profile_history_profile;
            """),
    ];

    private static readonly SchemaMigrator Migrator = new(
        Migrations,
        """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    integer     PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """,
        "INSERT INTO schema_version (version) VALUES (@version);",
        "version",
        BeginLockedAsync);

    public static int LatestVersion => Migrator.LatestVersion;

    /// <summary>
    /// Brings the database to <see cref="LatestVersion"/> in one transaction and returns the
    /// migrations it applied (none when the schema is already current).
    /// </summary>
    public static Task<IReadOnlyList<SchemaMigration>> MigrateAsync(NpgsqlConnection connection, Action<SchemaMigration>? starting, CancellationToken cancellationToken) =>
        Migrator.MigrateAsync(connection, starting, cancellationToken);

    /// <summary>
    /// A transaction holding the migrations' advisory lock: another node starting at the same
    /// moment waits here until this one has committed, then finds the schema current.
    /// </summary>
    private static async Task<DbTransaction> BeginLockedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({LockClass}, {LockMigrations});", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
