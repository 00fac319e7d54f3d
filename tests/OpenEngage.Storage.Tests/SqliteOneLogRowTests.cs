using System.Text.Json.Nodes;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The embedded store writes one log row per update: a history row that changed its profile is also
/// the change feed's row (<c>profile_changes</c> is a view). A store of the schema with a separate
/// change log keeps its feed positions; the feed gives back every kind of value; a late record
/// leaves the feed as its readers saw it.
/// </summary>
public sealed class SqliteOneLogRowTests : SqliteHistoryTestBase
{
    [Fact]
    public async Task AStoreWithASeparateChangeLogKeepsItsFeedPositionsAndItsHistoryAfterMigrating()
    {
        var path = Path.Combine(Root, "v7");
        using (var old = CreateDatabaseAtVersion(path, 7))
        {
            // As the schema before wrote them: "a" has two history rows (seq 1 and 2, a chain) and
            // two changes; "b" was changed, then deleted. The change log's seq overlaps the history's,
            // and handed out up to 6 (its last two rows went in a privacy deletion).
            var deep = """{"plan":{"old":"free","new":"pro"},"deep":{"new":{"x":[1,null]}}}""";
            Execute(old, $"""
                INSERT INTO profile_history (seq, project, group_key, id, time, received, source, credential, kind, changes, record_json, prev) VALUES
                    (1, 'project-1', '', 'a', {Ms(10)}, {Ms(10)}, 'engage', 'token', 'create', '{Json("""{"plan":{"new":"free"}}""")}', '{Record(10, "plan", "free")}', NULL),
                    (2, 'project-1', '', 'a', {Ms(20)}, {Ms(20)}, 'engage', 'token', 'update', '{deep}', '{Record(20, "plan", "pro")}', 1);
                INSERT INTO profiles (project, group_key, id, properties, log_seq, log_time) VALUES ('project-1', '', 'a', jsonb('{Json("""{"plan":"pro","deep":{"x":[1,null]}}""")}'), 2, {Ms(20)});
                INSERT INTO profile_changes (seq, project, group_key, id, kind, changed, removed, time, received, source) VALUES
                    (1, 'project-1', '', 'a', 'upsert', '{Json("""{"plan":"free"}""")}', '[]', {Ms(10)}, {Ms(10)}, 'engage'),
                    (2, 'project-1', '', 'a', 'upsert', '{Json("""{"plan":"pro","deep":{"x":[1,null]}}""")}', '[]', {Ms(20)}, {Ms(20)}, 'engage'),
                    (3, 'project-1', '', 'b', 'upsert', '{Json("""{"n":null,"s":"text","o":{}}""")}', '["gone","also \"gone\""]', {Ms(21)}, {Ms(21)}, 'ui'),
                    (4, 'project-1', '', 'b', 'delete', '{Json("{}")}', '[]', {Ms(22)}, {Ms(22)}, 'engage');
                UPDATE sqlite_sequence SET seq = 6 WHERE name = 'profile_changes';
                INSERT INTO webhook_cursors VALUES ('hook', 0, 2, '2026-01-01T00:00:00Z');
                """);
        }

        var store = await OpenAsync(path);
        var feed = (IChangeFeed)store;

        var all = await ReadFeedAsync(feed, ChangePosition.Start);
        Assert.Equal([1L, 2, 3, 4], all.Select(change => change.Position.Sequence));
        Assert.Equal(["a", "a", "b", "b"], all.Select(change => change.Key.Id));
        Assert.Equal(["upsert", "upsert", "upsert", "delete"], all.Select(change => change.Kind));
        Assert.Equal(["engage", "engage", "ui", "engage"], all.Select(change => change.Source));
        AssertJson("""{"plan":"pro","deep":{"x":[1,null]}}""", all[1].ChangedJson);
        AssertJson("""{"n":null,"s":"text","o":{}}""", all[2].ChangedJson);
        AssertJson("""["gone","also \"gone\""]""", all[2].RemovedJson);
        AssertJson("{}", all[3].ChangedJson);
        AssertJson("[]", all[3].RemovedJson);
        Assert.Equal(Ms(21), all[2].Time);

        // A webhook resumes where it was; a reader at the last position ever handed out sees only what is new.
        var lease = (await ((IWebhookCursorStore)store).TryAcquireWebhookLeaseAsync())!;
        await using (lease)
        {
            var position = (await lease.GetCursorAsync("hook"))!.Value;
            Assert.Equal(["b", "b"], (await ReadFeedAsync(feed, position)).Select(change => change.Key.Id));
        }

        Assert.Equal([20, 10], (await ReadHistoryAsync(store, "a")).Select(Minutes));
        await store.ApplyAsync([Timed("a", 30) with { Operations = new() { Set = [new("seats", 3)] } }]);
        var fresh = Assert.Single(await ReadFeedAsync(feed, new ChangePosition(0, 6)));
        Assert.True(fresh.Position.Sequence > 6);
        Assert.Equal(fresh.Position, Assert.Single(await ReadFeedAsync(feed, all[^1].Position)).Position);

        // The moved chain still folds a late record.
        await store.ApplyAsync([Timed("a", 15) with { Operations = new() { Set = [new("plan", "trial"), new("early", true)] } }]);
        var a = (await store.GetAsync(User("a")))!.Properties;
        Assert.Equal("pro", a["plan"]!.GetValue<string>());
        Assert.True(a["early"]!.GetValue<bool>());
        Assert.Equal([30, 20, 15, 10], (await ReadHistoryAsync(store, "a")).Select(Minutes));
    }

    [Fact]
    public async Task TheFeedGivesBackEveryKindOfValueAsTheUpdateChangedIt()
    {
        var store = await OpenAsync(Path.Combine(Root, "values"));
        var values = JsonNode.Parse("""{"o":{"a":[1,{"b":null}],"e":{}},"arr":[1,"x",[]],"nul":null,"s":"Zoë \"q\" 名","n":1.5,"t":true}""")!.AsObject();

        await store.ApplyAsync([Timed("v", 10) with { Operations = new() { Set = [.. values.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))] } }]);
        await store.ApplyAsync([Timed("v", 20) with { Operations = new() { Unset = ["o", "nul"], Set = [new("n", 2)] } }]);

        var changes = await ReadFeedAsync((IChangeFeed)store, ChangePosition.Start);
        Assert.Equal(2, changes.Count);
        var created = JsonNode.Parse(changes[0].ChangedJson)!.AsObject();
        foreach (var (name, value) in values)
        {
            Assert.True(JsonNode.DeepEquals(value, created[name]), $"{name}: {created[name]?.ToJsonString()}");
        }

        AssertJson("[]", changes[0].RemovedJson);
        var changed = JsonNode.Parse(changes[1].ChangedJson)!.AsObject();
        Assert.Equal(2m, N(changed["n"]!));
        AssertJson("""["o","nul"]""", changes[1].RemovedJson);
    }

    private static long Ms(int minutes) => T0.AddMinutes(minutes).ToUnixTimeMilliseconds();

    /// <summary>A JSON text, checked, to put inside SQL quotes.</summary>
    private static string Json(string json) => JsonNode.Parse(json)!.ToJsonString();

    private static string Record(int minutes, string name, string value) =>
        ProfileUpdateJson.Serialize(Timed("a", minutes) with { Operations = new() { Set = [new(name, value)] } });

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), actual);

    private static async Task<List<FeedChange>> ReadFeedAsync(IChangeFeed feed, ChangePosition after)
    {
        var page = await feed.ReadChangesAsync(new ChangeFeedQuery(Project, "", after, 1000), TimeSpan.Zero);
        return [.. page.Changes];
    }
}
