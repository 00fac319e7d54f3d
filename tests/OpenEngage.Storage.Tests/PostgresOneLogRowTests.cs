using System.Text.Json.Nodes;
using Npgsql;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// PostgreSQL's one log row per update (schema 7): a database written with a separate change log
/// keeps every feed position, value and webhook position when it migrates, and an in-order update
/// then writes one row, which both the history and the feed read.
/// </summary>
public sealed class PostgresOneLogRowTests : PostgresSchemaTestBase
{
    private const string Project = "one-row";

    [Fact]
    public async Task AStoreWithASeparateChangeLogKeepsItsFeedPositionsAndItsHistoryAfterMigrating()
    {
        var database = await CreateDatabaseAtVersionAsync(6);
        await using (var old = await OpenConnectionAsync(database))
        {
            // Schema 6 wrote a history row and a change row per update, each table with its own seq:
            // three changes in two transactions, and more history rows than changes.
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (var i = 0; i < 5; i++)
            {
                await ExecuteAsync(old, $$$"""
                    INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json)
                    VALUES ('{{{Project}}}', '', 'a', {{{now - 5000 + i}}}, {{{now - 5000 + i}}}, 'engage', '', 'update', '{"n": {"new": {{{i}}}}}', '{}');
                    """);
            }

            await ExecuteAsync(old, $$$"""
                INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
                VALUES ('{{{Project}}}', '', 'a', 'upsert', '{"plan": "free", "tags": ["x", "é"], "nested": {"k": null}}', '["gone"]', {{{now - 3000}}}, {{{now - 3000}}}, 'engage'),
                       ('{{{Project}}}', '', 'b', 'delete', '{}', '[]', {{{now - 2000}}}, {{{now - 2000}}}, 'engage');
                INSERT INTO profile_changes (project, group_key, id, kind, changed, removed, time, received, source)
                VALUES ('{{{Project}}}', '', 'a', 'upsert', '{"plan": "pro"}', '[]', {{{now - 1000}}}, {{{now - 1000}}}, 'engage');
                INSERT INTO webhook_cursors (webhook, xid, seq, updated_at) VALUES ('hook', 1, 2, now());
                """);
        }

        var before = await ReadFeedRowsAsync(database);
        Assert.Equal(3, before.Count);

        var store = await OpenStoreAsync(database);
        var feed = (IChangeFeed)store;

        Assert.Equal(before, await ReadFeedRowsAsync(database));
        // Read until all are readable: the feed holds back rows while an older transaction of the
        // cluster (another test's) is still running.
        var (read, next) = await ChangeFeedContract.ReadAllAsync(feed, ChangePosition.Start, 10, 3, Project);
        Assert.Equal(before.Select(r => r.Position), read.Select(c => c.Position));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"plan": "free", "tags": ["x", "é"], "nested": {"k": null}}"""), JsonNode.Parse(read[0].ChangedJson)));
        Assert.Equal("""["gone"]""", read[0].RemovedJson);
        Assert.Equal("delete", read[1].Kind);
        await using (var lease = await ((IWebhookCursorStore)store).TryAcquireWebhookLeaseAsync())
        {
            Assert.Equal(new ChangePosition(1, 2), await lease!.GetCursorAsync("hook"));
        }

        // An update now writes one row: the feed finds it after every position handed out before,
        // and its seq is above every seq of either table.
        await store.ApplyAsync([new ProfileUpdate
        {
            Key = new ProfileKey(Project, "", "a"),
            Time = DateTimeOffset.UtcNow,
            Operations = new() { Set = [new("plan", "team")], Unset = ["seats"] },
        }]);
        var fresh = Assert.Single((await ChangeFeedContract.ReadAllAsync(feed, next, 10, 1, Project)).Changes);
        Assert.True(fresh.Position > next);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"plan": "team"}"""), Named(fresh.ChangedJson)), fresh.ChangedJson);
        Assert.Equal("[]", fresh.RemovedJson);
        await using var connection = await OpenConnectionAsync(database);
        Assert.Equal(5L, await ScalarAsync(connection, "SELECT max(seq) FROM profile_history WHERE NOT feed;"));
        Assert.True((long)(await ScalarAsync(connection, "SELECT seq FROM profile_history WHERE feed;"))! > 5);
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT count(*) FROM profile_changes;"));
        Assert.Equal(6L, await ScalarAsync(connection, $"SELECT count(*) FROM profile_history WHERE project = '{Project}';"));

        // The diffs written as jsonb read back as before, newest first, after the new row.
        var history = new List<HistoryRecord>();
        await foreach (var record in ((IProfileHistory)store).ReadHistoryAsync(new HistoryQuery(new ProfileKey(Project, "", "a"))))
        {
            history.Add(record);
        }

        Assert.Equal([4m, 3m, 2m, 1m, 0m], history.Skip(1).Select(r => r.Diff.Properties.Single(p => p.Name == "n").New!.GetValue<decimal>()));
    }

    [Fact]
    public async Task AnUnsetIsReadBackAsARemovedNameAndADeleteAsADeleteWithoutValues()
    {
        var database = await CreateDatabaseAtVersionAsync(PostgresSchema.LatestVersion);
        var store = await OpenStoreAsync(database);
        var key = new ProfileKey(Project, "", "u");
        ProfileUpdate Update(ProfileOperations operations) => new() { Key = key, Time = DateTimeOffset.UtcNow, Operations = operations };
        await store.ApplyAsync([Update(new() { Set = [new("o", new JsonObject { ["k"] = new JsonArray(1, "two", null) }), new("nul", null), new("n", 1)] })]);
        await store.ApplyAsync([Update(new() { Unset = ["o", "nul", "missing"], Add = [new("n", 1m)] })]);
        await store.ApplyAsync([Update(new() { Delete = true })]);

        var (changes, _) = await ChangeFeedContract.ReadAllAsync((IChangeFeed)store, ChangePosition.Start, 10, 3, Project);

        Assert.Equal(3, changes.Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"o": {"k": [1, "two", null]}, "nul": null, "n": 1}"""), Named(changes[0].ChangedJson)), changes[0].ChangedJson);
        Assert.Equal("[]", changes[0].RemovedJson);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"n": 2}"""), Named(changes[1].ChangedJson)), changes[1].ChangedJson);
        Assert.Equal(["nul", "o"], JsonNode.Parse(changes[1].RemovedJson)!.AsArray().Select(n => n!.GetValue<string>()).Order());
        Assert.Equal(("delete", "{}", "[]"), (changes[2].Kind, changes[2].ChangedJson, changes[2].RemovedJson));
        await using var connection = await OpenConnectionAsync(database);
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM profile_changes;"));
    }

    /// <summary>A change's new values without the ones the store sets itself (<c>$created</c>, <c>$last_seen</c>).</summary>
    private static JsonObject Named(string changed)
    {
        var values = JsonNode.Parse(changed)!.AsObject();
        foreach (var name in values.Select(p => p.Key).Where(name => name.StartsWith('$')).ToList())
        {
            values.Remove(name);
        }

        return values;
    }

    private static async Task<List<(ChangePosition Position, string Id, string Changed)>> ReadFeedRowsAsync(string connectionString)
    {
        await using var connection = await OpenConnectionAsync(connectionString);
        await using var command = new NpgsqlCommand(
            "SELECT xid::text::bigint, seq, id, changed::text FROM profile_changes ORDER BY xid, seq;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(ChangePosition, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((new ChangePosition(reader.GetInt64(0), reader.GetInt64(1)), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }
}
