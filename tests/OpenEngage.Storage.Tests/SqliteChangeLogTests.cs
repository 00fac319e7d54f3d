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
        command.CommandText = "SELECT count(*) FROM profile_history WHERE feed < 2;"; // the feed-only rows are on no profile's history
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    [Fact]
    public async Task ALogRowTheDatabaseRefusesRejectsItsUpdateAloneAndStoresNothingOfIt()
    {
        var store = await StoreAsync();
        Execute("""
            CREATE TRIGGER refuse_poison_history BEFORE INSERT ON profile_history WHEN NEW.id = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poison history refused'); END;
            """);

        // The poison's profile row and change-log row are written before its history row fails: the
        // failed group stores none of them, and the group that isolates it stores everything else.
        var results = await store.ApplyAsync([
            Update("a", 0) with { Operations = new() { Set = [P("n", 1)] } },
            Update("poison", 1) with { Operations = new() { Set = [P("n", 1)] } },
            Update("b", 2) with { Operations = new() { Set = [P("n", 1)] } },
        ]);

        Assert.Equal([ApplyStatus.Upserted, ApplyStatus.Rejected, ApplyStatus.Upserted], results.Select(r => r.Status));
        Assert.Contains("poison history refused", results[1].Error!.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync(ProfileKey.User(Project, "poison")));
        Assert.Equal(["a", "b"], (await ReadChangesAsync()).Select(r => r.Id));
        Assert.Equal(2, await CountHistoryRowsAsync());

        // The next group is written as before.
        var next = await store.ApplyAsync([Update("a", 3) with { Operations = new() { Set = [P("n", 2)] } }]);
        Assert.Equal(ApplyStatus.Upserted, Assert.Single(next).Status);
        Assert.Equal(["a", "b", "a"], (await ReadChangesAsync()).Select(r => r.Id));
        Assert.Equal(3, await CountHistoryRowsAsync());
    }

    [Fact]
    public async Task TheLogsStoreTheirJsonAndNamesAsTextWithNonAsciiAndEmptyValuesIntact()
    {
        var store = await StoreAsync();
        const string Name = "Zoë 名前 🎉 \"quoted\"";

        await store.ApplyAsync([Update("ü-1", 0, source: "") with { Credential = "", Operations = new() { Set = [P("name", Name), P("empty", "")] } }]);

        using var connection = Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT typeof(c.changed), typeof(c.removed), typeof(c.source), typeof(h.changes), typeof(h.record_json),
                       typeof(h.source), typeof(h.credential), typeof(h.kind), c.id, c.source, h.source, h.credential
                FROM profile_changes c JOIN profile_history h ON h.id = c.id;
                """;
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.All(Enumerable.Range(0, 8), i => Assert.Equal("text", reader.GetString(i)));
            Assert.Equal(("ü-1", "", "", ""), (reader.GetString(8), reader.GetString(9), reader.GetString(10), reader.GetString(11)));
            Assert.False(reader.Read());
        }

        var row = Assert.Single(await ReadChangesAsync());
        Assert.Equal(Name, row.Changed["name"]!.GetValue<string>());
        Assert.Equal("", row.Changed["empty"]!.GetValue<string>());
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT json_extract(changes, '$.name.new'), json_extract(record_json, '$.\"$set\"[0][1]') FROM profile_history;";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal((Name, Name), (reader.GetString(0), reader.GetString(1)));
        }

        Assert.Equal(Name, (await store.GetAsync(ProfileKey.User(Project, "ü-1")))!.Properties["name"]!.GetValue<string>());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private void Execute(string sql) => SqliteTestStores.ExecuteInDatabase(_current!, sql);

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
