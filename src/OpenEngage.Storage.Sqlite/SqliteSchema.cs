using Microsoft.Data.Sqlite;

namespace OpenEngage.Storage.Sqlite;

/// <summary>
/// The schema as an ordered list of migrations. <c>schema_version</c> records every migration
/// applied; a migration is never edited once released, only followed by a new one.
/// </summary>
internal static class SqliteSchema
{
    public sealed record Migration(int Version, string Description, string Sql);

    public static readonly IReadOnlyList<Migration> Migrations =
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
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Brings the database to <see cref="LatestVersion"/> in one transaction and returns the
    /// versions it applied (none when the schema is already current).
    /// </summary>
    public static IReadOnlyList<Migration> Migrate(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction(deferred: false);

        Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    INTEGER PRIMARY KEY,
                applied_at TEXT NOT NULL
            );
            """);

        long current;
        using (var query = connection.CreateCommand())
        {
            query.Transaction = transaction;
            query.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version;";
            current = (long)query.ExecuteScalar()!;
        }

        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database has schema version {current}, newer than this server understands ({LatestVersion}). Upgrade the server.");
        }

        var applied = new List<Migration>();
        foreach (var migration in Migrations)
        {
            if (migration.Version <= current)
            {
                continue;
            }

            Execute(connection, transaction, migration.Sql);
            using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES ($version, $applied_at);";
                record.Parameters.AddWithValue("$version", migration.Version);
                record.Parameters.AddWithValue("$applied_at", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
            }

            applied.Add(migration);
        }

        transaction.Commit();
        return applied;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
