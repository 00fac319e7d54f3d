using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// PostgreSQL schemas 8 and 9: the newest history time of each profile moves into its row (or
/// <c>log_heads</c> when it has none), and a profile's history is found through a hash index on its
/// id. A store written before tells a late record from its stored history after migrating.
/// </summary>
public sealed class PostgresLogTimeTests : PostgresSchemaTestBase
{
    private const string Project = "log-time";
    private static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AStoreMigratedToLogTimesStillTellsALateRecordFromItsStoredHistory()
    {
        var database = await CreateDatabaseAtVersionAsync(7);
        await using (var old = await OpenConnectionAsync(database))
        {
            // "a" was created at 10 min and changed at 20; "d" was created at 10 and deleted at 30.
            var a10 = Record("a", 10, new() { Set = [new("plan", "free")] });
            var a20 = Record("a", 20, new() { Set = [new("plan", "pro")] });
            var d10 = Record("d", 10, new() { Set = [new("plan", "free")] });
            var d30 = Record("d", 30, new() { Delete = true });
            await ExecuteAsync(old, $$$"""
                INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json) VALUES
                    ('{{{Project}}}', '', 'a', {{{Ms(10)}}}, {{{Ms(10)}}}, 'engage', 'token', 'create', '{"plan": {"new": "free"}}', '{{{a10}}}'),
                    ('{{{Project}}}', '', 'a', {{{Ms(20)}}}, {{{Ms(20)}}}, 'engage', 'token', 'update', '{"plan": {"old": "free", "new": "pro"}}', '{{{a20}}}'),
                    ('{{{Project}}}', '', 'd', {{{Ms(10)}}}, {{{Ms(10)}}}, 'engage', 'token', 'create', '{"plan": {"new": "free"}}', '{{{d10}}}'),
                    ('{{{Project}}}', '', 'd', {{{Ms(30)}}}, {{{Ms(30)}}}, 'engage', 'token', 'delete', '{"plan": {"old": "free"}}', '{{{d30}}}');
                INSERT INTO profiles (project, group_key, id, properties) VALUES ('{{{Project}}}', '', 'a', '{"plan": "pro"}');
                """);
        }

        var store = await OpenStoreAsync(database);

        await using (var connection = await OpenConnectionAsync(database))
        {
            Assert.Equal(Ms(20), await ScalarAsync(connection, $"SELECT log_time FROM profiles WHERE project = '{Project}' AND id = 'a';"));
            Assert.Equal(Ms(30), await ScalarAsync(connection, $"SELECT log_time FROM log_heads WHERE project = '{Project}' AND id = 'd';"));
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM log_heads;"));
            Assert.Equal("hash", await ScalarAsync(connection, "SELECT am.amname::text FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = 'profile_history_id';"));
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM pg_class WHERE relname = 'profile_history_profile';"));
        }

        // Both are late: "d" stays deleted, and "a" keeps the plan its newer record set.
        await store.ApplyAsync([Timed("d", 20, new() { Set = [new("plan", "team")] }), Timed("a", 15, new() { Set = [new("plan", "trial"), new("seats", 1)] })]);

        Assert.Null(await store.GetAsync(new ProfileKey(Project, "", "d")));
        var a = (await store.GetAsync(new ProfileKey(Project, "", "a")))!.Properties;
        Assert.Equal("pro", a["plan"]!.GetValue<string>());
        Assert.Equal(1m, a["seats"]!.GetValue<decimal>());
        var history = new List<long>();
        await foreach (var record in ((IProfileHistory)store).ReadHistoryAsync(new HistoryQuery(new ProfileKey(Project, "", "a"))))
        {
            history.Add(record.Time);
        }

        Assert.Equal([Ms(20), Ms(15), Ms(10)], history);
    }

    [Fact]
    public async Task ANewestTimeFollowsTheProfileIntoAndOutOfItsRow()
    {
        var database = await CreateDatabaseAtVersionAsync(PostgresSchema.LatestVersion);
        var store = await OpenStoreAsync(database);
        await using var connection = await OpenConnectionAsync(database);
        async Task<(object? Row, object? Head)> TimesAsync() => (
            await ScalarAsync(connection, $"SELECT log_time FROM profiles WHERE project = '{Project}' AND id = 'p';"),
            await ScalarAsync(connection, $"SELECT log_time FROM log_heads WHERE project = '{Project}' AND id = 'p';"));

        // A record that changes nothing still moves the newest time; a deletion moves it to log_heads.
        await store.ApplyAsync([Timed("p", 10, new() { Set = [new("plan", "free")] })]);
        Assert.Equal((Ms(10), null), await TimesAsync());
        await store.ApplyAsync([Timed("p", 12, new() { Set = [new("plan", "free")] }) with { IgnoreTime = true }]);
        Assert.Equal((Ms(12), null), await TimesAsync());
        await store.ApplyAsync([Timed("p", 14, new() { Delete = true })]);
        Assert.Equal((null, Ms(14)), await TimesAsync());

        // Recreated, the row holds it again; removing the profile's history clears both.
        await store.ApplyAsync([Timed("p", 16, new() { Set = [new("plan", "pro")] })]);
        Assert.Equal((Ms(16), Ms(14)), await TimesAsync());
        await ((IProfileHistory)store).RemoveHistoryAsync([new ProfileKey(Project, "", "p")]);
        Assert.Equal((DBNull.Value, null), await TimesAsync());
    }

    private static long Ms(int minutes) => T0.AddMinutes(minutes).ToUnixTimeMilliseconds();

    private static ProfileUpdate Timed(string id, int minutes, ProfileOperations operations) => new()
    {
        Key = new ProfileKey(Project, "", id),
        Time = T0.AddMinutes(minutes),
        ReceivedAt = T0.AddMinutes(minutes),
        Operations = operations,
    };

    /// <summary>A record's JSON as the history stores it, to put inside SQL quotes.</summary>
    private static string Record(string id, int minutes, ProfileOperations operations) =>
        ProfileUpdateJson.Serialize(Timed(id, minutes, operations)).Replace("'", "''", StringComparison.Ordinal);
}
