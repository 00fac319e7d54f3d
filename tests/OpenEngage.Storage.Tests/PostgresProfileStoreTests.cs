using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

public sealed class PostgresProfileStoreTests : ProfileStoreContract
{
    private string? _current;

    protected override async Task<IProfileStore> CreateStoreAsync(ProfileEngine engine)
    {
        var cluster = await PostgresCluster.SharedAsync();
        _current = await cluster.CreateDatabaseAsync("contract");
        return await OpenAsync(_current, engine);
    }

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) =>
        OpenAsync(_current ?? throw new InvalidOperationException("No store was created yet."), engine);

    protected override Task RefuseIdInDatabaseAsync(string id) =>
        ExecuteInDatabaseAsync($"ALTER TABLE profiles ADD CONSTRAINT refuse_{id} CHECK (id <> '{id}');");

    protected override async Task ExecuteInDatabaseAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_current + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Theory]
    [InlineData("1e200000")]
    [InlineData("1e-20000")]
    public async Task ANumberNumericCannotHoldIsRejectedAloneWhenItGetsPastValidation(string number)
    {
        var store = await CreateStoreAsync();

        // Validation refuses these numbers; built directly, they meet PostgreSQL's own refusal ("value overflows numeric format").
        var poison = Update("poison") with { Operations = new() { Set = Props(("x", JsonNode.Parse(number))) } };
        var results = await Task.WhenAll(
            store.ApplyAsync([Set("a", ("v", 1)), poison]),
            store.ApplyAsync([Set("b", ("v", 1))]));

        Assert.True(results[0][0].IsApplied);
        Assert.Equal(ApplyStatus.Rejected, results[0][1].Status);
        Assert.Contains("numeric", results[0][1].Error!.Message, StringComparison.Ordinal);
        Assert.True(results[1][0].IsApplied);
        Assert.NotNull(await store.GetAsync(User("a")));
        Assert.NotNull(await store.GetAsync(User("b")));
        Assert.Null(await store.GetAsync(User("poison")));
    }

    [Fact]
    public async Task AStreamHandsOutItsFirstRowsWhileTheServerIsStillSendingTheRest()
    {
        var store = await CreateStoreAsync();

        // About 20 MB of rows: far more than the socket and the driver buffer, so a reader that
        // streams has the first rows while the server is still sending.
        var text = new string('x', 200);
        var properties = Enumerable.Range(0, 100).Select(i => ($"p{i:D3}", (JsonNode?)JsonValue.Create(text))).ToArray();
        for (var batch = 0; batch < 10; batch++)
        {
            await store.ApplyAsync([.. Enumerable.Range(batch * 100, 100).Select(i => Set($"u{i:D4}", properties))]);
        }

        var streamed = 0;
        var states = new List<string>();
        await foreach (var profile in store.StreamAsync(new ProfileQuery(Project, "")))
        {
            Assert.Equal($"u{streamed:D4}", profile.Key.Id);
            if (++streamed == 3)
            {
                await using var connection = new NpgsqlConnection(_current + ";Pooling=false");
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "SELECT state FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() AND query LIKE 'SELECT id, properties::text, %';",
                    connection);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    states.Add(reader.GetString(0));
                }

                break;
            }
        }

        // The stream's query was still running when its third row arrived; cancelled, the store answers the next query.
        Assert.Equal(["active"], states);
        Assert.Equal(1000, (await store.QueryAsync(new ProfileQuery(Project, "") { Limit = 1 })).Total);
    }

    private static async Task<IProfileStore> OpenAsync(string connectionString, ProfileEngine engine)
    {
        var store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = connectionString }, engine, NullLogger<PostgresProfileStore>.Instance);
        await store.InitializeAsync();
        return store;
    }

    private static PostgresProfileStore NewStore(string connectionString) =>
        new(new PostgresStoreOptions { ConnectionString = connectionString }, new ProfileEngine(ProfileLimits.Default), NullLogger<PostgresProfileStore>.Instance);

    [Fact]
    public async Task AnUnreachableDatabaseFailsStartUpNamingHostAndDatabase()
    {
        var port = (await PostgresCluster.SharedAsync()).Port;
        await using var store = NewStore($"Host=127.0.0.1;Port=1;Database=nowhere_db;Username=postgres;Timeout=3");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync());

        Assert.Contains("nowhere_db", error.Message);
        Assert.Contains("127.0.0.1:1", error.Message);
        Assert.NotEqual(1, port);
    }

    [Fact]
    public async Task SeveralStoresStartingAtOnceMigrateOnce()
    {
        var connectionString = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("migrate");
        var stores = Enumerable.Range(0, 6).Select(_ => NewStore(connectionString)).ToArray();
        try
        {
            await Task.WhenAll(stores.Select(store => store.InitializeAsync()));

            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM schema_version;", connection);
            Assert.Equal((long)PostgresSchema.Migrations.Count, (long)(await command.ExecuteScalarAsync())!);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task StoresOnOneDatabaseLoseNoUpdateAndDoNotDeadlock()
    {
        var connectionString = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("nodes");
        var stores = Enumerable.Range(0, 3).Select(_ => NewStore(connectionString)).ToArray();
        try
        {
            foreach (var store in stores)
            {
                await store.InitializeAsync();
            }

            const int Callers = 24, CallsEach = 60, Keys = 6;
            var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
            {
                var store = stores[caller % stores.Length];
                var random = new Random(caller);
                for (var i = 0; i < CallsEach; i++)
                {
                    // Several keys per batch in a random order: opposite orders on different stores
                    // would deadlock without sorted locking.
                    var ids = Enumerable.Range(0, Keys).OrderBy(_ => random.Next()).Take(3).Select(k => $"k{k}");
                    var updates = ids.Select(id => Update(id) with
                    {
                        Operations = new() { Add = [new("n", 1m)], Append = [new("log", $"{caller}-{i}")], Union = [new("callers", new System.Text.Json.Nodes.JsonArray(caller))] },
                    }).ToList();
                    var results = await store.ApplyAsync(updates);
                    Assert.All(results, r => Assert.Equal(ApplyStatus.Upserted, r.Status));
                }
            }));
            await Task.WhenAll(callers);

            long total = 0;
            for (var k = 0; k < Keys; k++)
            {
                var properties = (await stores[0].GetAsync(User($"k{k}")))!.Properties;
                var n = (long)properties["n"]!;
                var log = properties["log"]!.AsArray().Select(v => (string)v!).ToList();
                Assert.Equal(n, log.Count);
                Assert.Equal(log.Count, log.Distinct().Count());
                total += n;
            }

            Assert.Equal(Callers * CallsEach * 3, total);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ARecordHoldingNulIsRejectedAloneAndTheRestOfTheBatchApplies()
    {
        var store = await CreateStoreAsync();

        var results = await store.ApplyAsync([Set("a", ("x", 1)), Set("b", ("x", "nul\0here")), Set("c\0", ("x", 1)), Set("d", ("x", 2))]);

        Assert.Equal([ApplyStatus.Upserted, ApplyStatus.Rejected, ApplyStatus.Rejected, ApplyStatus.Upserted], results.Select(r => r.Status));
        Assert.NotNull(await store.GetAsync(User("a")));
        Assert.Null(await store.GetAsync(User("b")));
        Assert.Null(await store.GetAsync(User("c\0")));
        Assert.NotNull(await store.GetAsync(User("d")));
    }
}
