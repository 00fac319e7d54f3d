using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

public sealed class SqliteChangeLogTests : ChangeLogContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "openengage-storage-tests", Guid.NewGuid().ToString("N"));
    private string? _current;

    protected override async Task<IProfileStore> CreateStoreAsync(HistoryOptions history)
    {
        _current = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        var store = new SqliteProfileStore(new SqliteStoreOptions { Path = _current }, new ProfileEngine(ProfileLimits.Default), NullLogger<SqliteProfileStore>.Instance, history);
        await store.InitializeAsync();
        return store;
    }

    protected override Task<IReadOnlyList<ChangeRow>> ReadChangesAsync()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, project, group_key, id, kind, changed, removed, time, received, source FROM profile_changes ORDER BY seq;";
        using var reader = command.ExecuteReader();
        var rows = new List<ChangeRow>();
        while (reader.Read())
        {
            rows.Add(new ChangeRow(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                JsonNode.Parse(reader.GetString(5))!.AsObject(), JsonNode.Parse(reader.GetString(6))!.AsArray(),
                reader.GetInt64(7), reader.GetInt64(8), reader.GetString(9)));
        }

        return Task.FromResult<IReadOnlyList<ChangeRow>>(rows);
    }

    protected override Task<long> CountHistoryRowsAsync()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM profile_history;";
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_current!, SqliteProfileStore.DatabaseFileName),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }
}
