using Npgsql;

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

    public sealed record Migration(int Version, string Description, string Sql);

    public static readonly IReadOnlyList<Migration> Migrations =
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
    ];

    public static int LatestVersion => Migrations[^1].Version;

    /// <summary>
    /// Brings the database to <see cref="LatestVersion"/> in one transaction and returns the
    /// migrations it applied (none when the schema is already current).
    /// </summary>
    public static async Task<IReadOnlyList<Migration>> MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Another node starting at the same moment waits here until this one has committed, then
        // finds the schema current.
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockClass}, {LockMigrations});", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    integer     PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken).ConfigureAwait(false);

        int current;
        await using (var query = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version;", connection, transaction))
        {
            current = (int)(await query.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
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

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES ($1);", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            applied.Add(migration);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
