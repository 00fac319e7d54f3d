using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// What the embedded store's history tests share: stores with history on, records timed in minutes
/// after <see cref="SqliteStoreTestBase.T0"/>, and a profile's history read back whole.
/// </summary>
public abstract class SqliteHistoryTestBase : SqliteStoreTestBase
{
    protected static readonly DateTimeOffset Arrival = new(2024, 5, 2, 8, 30, 0, TimeSpan.Zero);

    /// <summary>A record of <paramref name="id"/> at <paramref name="minutes"/> after T0, from <c>/engage</c>.</summary>
    protected static ProfileUpdate Timed(string id, int minutes, DateTimeOffset? received = null) => Update(id) with
    {
        Time = T0.AddMinutes(minutes),
        ReceivedAt = received ?? Arrival,
        Source = "engage",
        Credential = "token",
    };

    /// <summary>A history record's time, in minutes after T0.</summary>
    protected static int Minutes(HistoryRecord record) => (int)(DateTimeOffset.FromUnixTimeMilliseconds(record.Time) - T0).TotalMinutes;

    /// <summary>One profile's whole history, newest first.</summary>
    protected static async Task<List<HistoryRecord>> ReadHistoryAsync(SqliteProfileStore store, string id)
    {
        var records = new List<HistoryRecord>();
        await foreach (var record in store.ReadHistoryAsync(new HistoryQuery(User(id))))
        {
            records.Add(record);
        }

        return records;
    }

    /// <summary>
    /// Creates the database of a store in <paramref name="path"/> as a release of schema
    /// <paramref name="version"/> left it (its migrations applied, none after), and returns an open
    /// connection to it, to fill as that release would have.
    /// </summary>
    protected static Microsoft.Data.Sqlite.SqliteConnection CreateDatabaseAtVersion(string path, int version)
    {
        Directory.CreateDirectory(path);
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.Combine(path, SqliteProfileStore.DatabaseFileName), Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);");
        foreach (var migration in SqliteSchema.Migrations.Where(m => m.Version <= version))
        {
            Execute(connection, migration.Sql);
            Execute(connection, $"INSERT INTO schema_version VALUES ({migration.Version}, '2026-01-01T00:00:00Z');");
        }

        return connection;
    }

    protected static object? Scalar(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Opens (and creates or migrates) a store with history on, disposed with the class.</summary>
    protected async Task<SqliteProfileStore> OpenAsync(string path, int pipelineAfterUpdates = SqliteProfileStore.DefaultPipelineAfterUpdates)
    {
        var store = new SqliteProfileStore(new SqliteStoreOptions { Path = path }, new ProfileEngine(ProfileLimits.Default), NullLogger<SqliteProfileStore>.Instance, new HistoryOptions())
        {
            PipelineAfterUpdates = pipelineAfterUpdates,
        };
        Stores.Add(store);
        await store.InitializeAsync();
        return store;
    }
}
