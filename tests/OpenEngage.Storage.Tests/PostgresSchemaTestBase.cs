using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// What the tests of a PostgreSQL schema change share: a new database of the shared throwaway
/// cluster at a given schema version, stores opened on it (with history on, disposed with the
/// class), and plain SQL against it.
/// </summary>
public abstract class PostgresSchemaTestBase : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    /// <summary>A new database with the migrations up to <paramref name="version"/> applied, as a store of that version left it.</summary>
    protected static async Task<string> CreateDatabaseAtVersionAsync(int version)
    {
        var database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("schema");
        await using var connection = await OpenConnectionAsync(database);
        await ExecuteAsync(connection, "CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());");
        foreach (var migration in PostgresSchema.Migrations.Where(m => m.Version <= version))
        {
            await ExecuteAsync(connection, migration.Sql);
            await ExecuteAsync(connection, $"INSERT INTO schema_version (version) VALUES ({migration.Version});");
        }

        return database;
    }

    /// <summary>Opens (and migrates) a store on <paramref name="connectionString"/>.</summary>
    protected async Task<IProfileStore> OpenStoreAsync(string connectionString)
    {
        var store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = connectionString }, new ProfileEngine(ProfileLimits.Default), NullLogger<PostgresProfileStore>.Instance, new HistoryOptions());
        _stores.Add(store);
        await store.InitializeAsync();
        return store;
    }

    protected static async Task<NpgsqlConnection> OpenConnectionAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        return connection;
    }

    protected static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    protected static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
