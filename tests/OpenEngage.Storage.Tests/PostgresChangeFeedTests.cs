using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

public sealed class PostgresChangeFeedTests : ChangeFeedContract
{
    private readonly List<IAsyncDisposable> _nodes = [];
    private readonly PostgresTestStores _stores = new("feed");

    protected override Task<IProfileStore> CreateStoreAsync(ProfileEngine engine) => _stores.CreateAsync(engine);

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) => _stores.ReopenAsync(engine);

    /// <summary>Another node on the database of the last store created.</summary>
    private async Task<IProfileStore> SecondNodeAsync()
    {
        var node = await _stores.ReopenAsync(new ProfileEngine(ProfileLimits.Default));
        _nodes.Add(node);
        return node;
    }

    public override async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task TwoNodesWritingAtOnceAreFollowedWithoutALossOrARepeat()
    {
        var first = await NewAsync();
        var second = await SecondNodeAsync();
        var feed = (IChangeFeed)first;

        async Task WriteAsync(IProfileStore node, string prefix)
        {
            for (var batch = 0; batch < 40; batch++)
            {
                await node.ApplyAsync([.. Enumerable.Range(0, 5).Select(i => Set($"{prefix}-{(batch * 5 + i) % 23}", "n", batch * 5 + i))]);
            }
        }

        var writers = Task.WhenAll(Task.Run(() => WriteAsync(first, "a")), Task.Run(() => WriteAsync(second, "b")));
        var seen = new List<FeedChange>();
        var position = ChangePosition.Start;
        while (!writers.IsCompleted)
        {
            var page = await feed.ReadChangesAsync(new ChangeFeedQuery(Project, "", position, 7), TimeSpan.FromMilliseconds(50));
            seen.AddRange(page.Changes);
            position = page.Next;
        }

        await writers;
        var (rest, _) = await ReadAllAsync(feed, position, 7, 400 - seen.Count);
        seen.AddRange(rest);

        Assert.Equal(seen.Count, seen.Select(change => change.Position).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(pair => pair.First.Position < pair.Second.Position), "positions ascend");
        await using var connection = new NpgsqlConnection(_stores.Current);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT seq FROM profile_feed WHERE project = $1 ORDER BY seq;", connection);
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Project });
        var stored = new List<long>();
        await using (var reader = await count.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetInt64(0));
            }
        }

        Assert.Equal(400, stored.Count);
        Assert.Equal(stored, seen.Select(change => change.Position.Sequence).Order());
    }

    [Fact]
    public async Task ARowCommittedLateWithASmallerSequenceIsStillRead()
    {
        var store = await NewAsync();
        var feed = (IChangeFeed)store;
        const string Insert = """
            INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
            VALUES ($1, '', $2, 'upsert', '{"n": 1}', '[]', 0, (extract(epoch FROM now()) * 1000)::bigint, 'test');
            """;

        await using var slow = new NpgsqlConnection(_stores.Current);
        await using var fast = new NpgsqlConnection(_stores.Current);
        await slow.OpenAsync();
        await fast.OpenAsync();
        await using var slowTransaction = await slow.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand(Insert, slow, slowTransaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Project });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "slow" });
            await command.ExecuteNonQueryAsync();
        }

        await using (var command = new NpgsqlCommand(Insert, fast))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Project });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "fast" });
            await command.ExecuteNonQueryAsync();
        }

        // "fast" took the larger seq and committed; "slow" holds the smaller one, uncommitted.
        var early = await feed.ReadChangesAsync(new ChangeFeedQuery(Project, "", ChangePosition.Start, 10), TimeSpan.Zero);
        Assert.Empty(early.Changes);
        var position = early.Next;

        await slowTransaction.CommitAsync();
        var (late, _) = await ReadAllAsync(feed, position, 10, 2);
        Assert.Equal(["slow", "fast"], late.Select(change => change.Key.Id));
    }

    [Fact]
    public async Task ASmallerSequenceCommittedAfterALargerOneReadIsNotSkipped()
    {
        var store = await NewAsync();
        var feed = (IChangeFeed)store;
        await using var older = new NpgsqlConnection(_stores.Current);
        await using var younger = new NpgsqlConnection(_stores.Current);
        await older.OpenAsync();
        await younger.OpenAsync();

        // "older" gets its transaction id first; "younger" takes the smaller seq but commits last.
        await using var olderTransaction = await older.BeginTransactionAsync();
        await ExecuteAsync(older, olderTransaction, "SELECT pg_current_xact_id();");
        await using var youngerTransaction = await younger.BeginTransactionAsync();
        await ExecuteAsync(younger, youngerTransaction, InsertChange("younger"));
        await ExecuteAsync(older, olderTransaction, InsertChange("older"));
        await olderTransaction.CommitAsync();

        var (first, position) = await ReadAllAsync(feed, ChangePosition.Start, 10, 1);
        Assert.Equal(["older"], first.Select(change => change.Key.Id));

        await youngerTransaction.CommitAsync();
        var (second, _) = await ReadAllAsync(feed, position, 10, 1);
        var late = Assert.Single(second);
        Assert.Equal("younger", late.Key.Id);
        Assert.True(late.Position.Sequence < first[0].Position.Sequence, "the late row holds the smaller seq");
    }

    private static string InsertChange(string id) => $$"""
        INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
        VALUES ('{{Project}}', '', '{{id}}', 'upsert', '{"n": 1}', '[]', 0, (extract(epoch FROM now()) * 1000)::bigint, 'test');
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task OneNodeAtATimeHoldsTheWebhookLease()
    {
        var first = (IWebhookCursorStore)await NewAsync();
        var second = (IWebhookCursorStore)await SecondNodeAsync();

        var held = await first.TryAcquireWebhookLeaseAsync();
        Assert.NotNull(held);
        Assert.Null(await second.TryAcquireWebhookLeaseAsync());

        await held.DisposeAsync();
        await using var taken = await second.TryAcquireWebhookLeaseAsync();
        Assert.NotNull(taken);
        Assert.Null(await first.TryAcquireWebhookLeaseAsync());
    }
}
