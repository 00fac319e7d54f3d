using System.Data.Common;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Relational;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The one schema migrator both stores use: it applies what is missing once, in order, refuses a
/// database newer than it understands on either backend, and SQLite migrates at start only.
/// </summary>
public sealed class SchemaMigratorTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "openengage-migrator-tests", Guid.NewGuid().ToString("N"));

    private static readonly SchemaMigration[] TwoSteps =
    [
        new(1, "first", "CREATE TABLE first (x INTEGER);"),
        new(2, "second", "CREATE TABLE second (y INTEGER);"),
    ];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task AppliesWhatIsMissingOnceAndInOrder()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();

        var first = await Migrator([TwoSteps[0]]).MigrateAsync(connection);
        var both = await Migrator(TwoSteps).MigrateAsync(connection);
        var again = await Migrator(TwoSteps).MigrateAsync(connection);

        Assert.Equal([1], first.Select(m => m.Version));
        Assert.Equal([2], both.Select(m => m.Version));
        Assert.Empty(again);
        Assert.Equal(2L, Scalar(connection, "SELECT count(*) FROM schema_version;"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE name = 'second';"));
    }

    [Fact]
    public async Task TellsOfEachMigrationJustBeforeItRuns()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var told = new List<(int Version, long TablesOfIt)>();
        void Starting(SchemaMigration migration) =>
            told.Add((migration.Version, (long)Scalar(connection, $"SELECT count(*) FROM sqlite_schema WHERE name = '{migration.Description}';")!));

        await Migrator(TwoSteps).MigrateAsync(connection, Starting);
        await Migrator(TwoSteps).MigrateAsync(connection, Starting);

        // Each once, in order, while its table did not exist yet; nothing on the current schema.
        Assert.Equal([(1, 0L), (2, 0L)], told);
    }

    [Fact]
    public async Task RefusesADatabaseNewerThanItUnderstandsAndChangesNothing()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        await Migrator(TwoSteps).MigrateAsync(connection);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator([TwoSteps[0]]).MigrateAsync(connection));

        Assert.Contains("schema version 2, newer than this server understands (1)", error.Message, StringComparison.Ordinal);
        Assert.Equal(2L, Scalar(connection, "SELECT count(*) FROM schema_version;"));
    }

    [Fact]
    public void RefusesMigrationsOutOfOrder() =>
        Assert.Throws<ArgumentException>(() => Migrator([TwoSteps[1], TwoSteps[0]]));

    [Fact]
    public async Task PostgresRefusesADatabaseWithANewerSchema()
    {
        var connectionString = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("newer");
        await (await OpenPostgresAsync(connectionString)).DisposeAsync();
        await using (var connection = new NpgsqlConnection(connectionString + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES (999);", connection);
            await insert.ExecuteNonQueryAsync();
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => OpenPostgresAsync(connectionString));

        Assert.Contains($"schema version 999, newer than this server understands ({PostgresSchema.LatestVersion})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SqliteRefusesADatabaseWithANewerSchema()
    {
        var options = new SqliteStoreOptions { Path = Path.Combine(_root, "newer") };
        var store = NewSqlite(options);
        await using (store)
        {
            await store.InitializeAsync();
        }

        Execute(store.DatabasePath, "INSERT INTO schema_version (version, applied_at) VALUES (999, 'later');");

        var newer = NewSqlite(options);
        await using (newer)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => newer.InitializeAsync());
            Assert.Contains($"schema version 999, newer than this server understands ({SqliteSchema.LatestVersion})", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// After a failed commit the SQLite writer reconnects. It used to migrate again on every
    /// reconnect; a schema row written meanwhile (here one newer than the server, which a migration
    /// would refuse) shows it no longer does: the next commit goes through.
    /// </summary>
    [Fact]
    public async Task SqliteDoesNotMigrateAgainWhenTheWriterReconnects()
    {
        var store = NewSqlite(new SqliteStoreOptions { Path = Path.Combine(_root, "reconnect") });
        await using (store)
        {
            await store.InitializeAsync();
            Execute(store.DatabasePath, """
                CREATE TRIGGER fail_poison BEFORE INSERT ON profiles WHEN NEW.id = 'poison'
                BEGIN SELECT abs(length(NEW.id) - 6 - 9223372036854775807 - 1); END;
                INSERT INTO schema_version (version, applied_at) VALUES (999, 'later');
                """);

            // The failed commit closes the writer; the next one opens a fresh connection.
            await Assert.ThrowsAsync<SqliteException>(() => store.ApplyAsync([Set("poison")]));
            var after = Assert.Single(await store.ApplyAsync([Set("after")]));

            Assert.Equal(ApplyStatus.Upserted, after.Status);
            Assert.NotNull(await store.GetAsync(new ProfileKey("p", "", "after")));
        }
    }

    private static SchemaMigrator Migrator(IReadOnlyList<SchemaMigration> migrations) => new(
        migrations,
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT 'now');",
        "INSERT INTO schema_version (version) VALUES ($version);",
        "$version",
        static (connection, cancellationToken) => connection.BeginTransactionAsync(cancellationToken).AsTask());

    private static SqliteProfileStore NewSqlite(SqliteStoreOptions options) =>
        new(options, new ProfileEngine(ProfileLimits.Default), NullLogger<SqliteProfileStore>.Instance);

    private static async Task<PostgresProfileStore> OpenPostgresAsync(string connectionString)
    {
        var store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = connectionString }, new ProfileEngine(ProfileLimits.Default), NullLogger<PostgresProfileStore>.Instance);
        try
        {
            await store.InitializeAsync();
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    private static ProfileUpdate Set(string id) => new()
    {
        Key = new ProfileKey("p", "", id),
        Time = DateTimeOffset.UnixEpoch,
        IgnoreTime = true,
        Operations = new() { Set = [KeyValuePair.Create<string, JsonNode?>("x", 1)] },
    };

    private static object? Scalar(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(string databasePath, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
