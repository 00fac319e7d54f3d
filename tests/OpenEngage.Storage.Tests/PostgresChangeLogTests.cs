using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

/// <summary>The change log contract on PostgreSQL, a group's history rows written in its write batch (as for a group of few rows).</summary>
public class PostgresChangeLogTests : ChangeLogContract
{
    private string? _current;

    /// <summary>From how many history rows the store under test writes a group's with <c>COPY</c>.</summary>
    protected virtual int CopyLogRowsFrom => int.MaxValue;

    protected override async Task<IProfileStore> CreateStoreAsync(HistoryOptions history)
    {
        _current = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("changes");
        var store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = _current }, new ProfileEngine(ProfileLimits.Default), NullLogger<PostgresProfileStore>.Instance, history)
        {
            CopyLogRowsFrom = CopyLogRowsFrom,
        };
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<IReadOnlyList<ChangeRow>> ReadChangesAsync()
    {
        await using var connection = new NpgsqlConnection(_current + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT seq, project, group_key, id, kind, changed::text, removed::text, time, received, source FROM profile_feed ORDER BY seq;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<ChangeRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new ChangeRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                JsonNode.Parse(reader.GetString(5))!.AsObject(), JsonNode.Parse(reader.GetString(6))!.AsArray(),
                reader.GetInt64(7), reader.GetInt64(8), reader.GetString(9)));
        }

        return rows;
    }

    protected override async Task<long> CountHistoryRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_current + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM profile_history;", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
