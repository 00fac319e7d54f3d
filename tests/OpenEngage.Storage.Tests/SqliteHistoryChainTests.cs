using Microsoft.Data.Sqlite;
using OpenEngage.Profiles;
using OpenEngage.Storage.Identity;
using OpenEngage.Storage.Sqlite;
using static OpenEngage.Storage.Tests.SqlitePipelineHooks;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The embedded store keeps each profile's history rows as a chain (each row names the profile's
/// previous one; the head is in the profile's row or in <c>log_heads</c>) instead of a per-profile
/// index: a database of the schema before, a chain that retention cut, a late record that rewrites
/// rows of a group still being committed, a profile deleted and created again, and a merge.
/// </summary>
public sealed class SqliteHistoryChainTests : SqliteHistoryTestBase
{
    [Fact]
    public async Task AStoreWithHistoryOfTheSchemaBeforeChainsReadsAndFoldsLateRecordsAfterMigrating()
    {
        var path = Path.Combine(Root, "v6");
        using (var old = CreateDatabaseAtVersion(path, 6))
        {
            // Rows as the schema before wrote them, inserted out of time order (seq is not time order):
            // "a" has three records, "gone" was deleted (history, no profile row), "b" has one.
            Execute(old, """
                INSERT INTO profiles VALUES ('project-1', '', 'a', jsonb('{"plan":"pro","seen":3}')), ('project-1', '', 'b', jsonb('{"x":1}'));
                """);
            InsertOldRow(old, Timed("a", 20) with { Operations = new() { Set = [new("plan", "pro")] } }, "update", """{"plan":{"old":"free","new":"pro"}}""");
            InsertOldRow(old, Timed("gone", 5) with { Operations = new() { Set = [new("y", 1)] } }, "create", """{"y":{"new":1}}""");
            InsertOldRow(old, Timed("a", 10) with { Operations = new() { Set = [new("plan", "free")] } }, "create", """{"plan":{"new":"free"}}""");
            InsertOldRow(old, Timed("b", 7) with { Operations = new() { Set = [new("x", 1)] } }, "create", """{"x":{"new":1}}""");
            InsertOldRow(old, Timed("a", 30) with { Operations = new() { Set = [new("seen", 3)] } }, "update", """{"seen":{"new":3}}""");
            InsertOldRow(old, Timed("gone", 6) with { Operations = new() { Delete = true } }, "delete", """{"y":{"old":1}}""");
        }

        var store = await OpenAsync(path);
        using (var side = OpenSide(store))
        {
            Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(side, "SELECT max(version) FROM schema_version;"));
            Assert.Equal(0L, Scalar(side, "SELECT count(*) FROM sqlite_master WHERE name = 'profile_history_profile';"));
            Assert.Equal(T0.AddMinutes(30).ToUnixTimeMilliseconds(), Scalar(side, "SELECT log_time FROM profiles WHERE id = 'a';"));
            Assert.Equal(T0.AddMinutes(6).ToUnixTimeMilliseconds(), Scalar(side, "SELECT log_time FROM log_heads WHERE id = 'gone';"));
            Assert.Equal(1L, Scalar(side, "SELECT count(*) FROM log_heads;"));
        }

        Assert.Equal([30, 20, 10], (await ReadHistoryAsync(store, "a")).Select(Minutes));
        Assert.Equal([6, 5], (await ReadHistoryAsync(store, "gone")).Select(Minutes));
        Assert.Equal([7], (await ReadHistoryAsync(store, "b")).Select(Minutes));

        // A late record between the migrated rows: it lands under the newer "plan", and re-folds on top of them.
        await store.ApplyAsync([Timed("a", 15) with { Operations = new() { Set = [new("plan", "trial"), new("early", true)] } }]);
        var a = (await store.GetAsync(User("a")))!.Properties;
        Assert.Equal("pro", a["plan"]!.GetValue<string>());
        Assert.True(a["early"]!.GetValue<bool>());
        Assert.Equal([30, 20, 15, 10], (await ReadHistoryAsync(store, "a")).Select(Minutes));

        // The deleted profile comes back: its head moves from log_heads into its row.
        await store.ApplyAsync([Timed("gone", 40) with { Operations = new() { Set = [new("y", 2)] } }]);
        Assert.Equal([40, 6, 5], (await ReadHistoryAsync(store, "gone")).Select(Minutes));
        using (var side = OpenSide(store))
        {
            Assert.Equal(0L, Scalar(side, "SELECT count(*) FROM log_heads;"));
        }
    }

    [Fact]
    public async Task AChainCutByRetentionStillReadsAndTakesALateRecord()
    {
        var store = await OpenAsync(Path.Combine(Root, "purge"));
        await store.ApplyAsync([Timed("a", 10, Arrival.AddDays(-100)) with { Operations = new() { Set = [new("plan", "free")] } }]);
        await store.ApplyAsync([Timed("a", 20, Arrival.AddDays(-95)) with { Operations = new() { Set = [new("seats", 1)] } }]);
        await store.ApplyAsync([Timed("a", 30) with { Operations = new() { Set = [new("plan", "pro")] } }]);
        await store.ApplyAsync([Timed("a", 40) with { Operations = new() { Set = [new("seats", 5)] } }]);

        Assert.Equal(2, await store.PurgeHistoryAsync(Arrival.AddDays(-90)));
        Assert.Equal([40, 30], (await ReadHistoryAsync(store, "a")).Select(Minutes));

        // Late, before everything kept: the kept rows are applied again on top of it; the purged are gone for good.
        await store.ApplyAsync([Timed("a", 25) with { Operations = new() { Set = [new("plan", "trial"), new("seats", 2), new("note", "late")] } }]);
        var a = (await store.GetAsync(User("a")))!.Properties;
        Assert.Equal("pro", a["plan"]!.GetValue<string>());
        Assert.Equal(5, a["seats"]!.GetValue<int>());
        Assert.Equal("late", a["note"]!.GetValue<string>());
        Assert.Equal([40, 30, 25], (await ReadHistoryAsync(store, "a")).Select(Minutes));

        // Late, before even the purged rows: nothing kept is older, so every kept row is applied again.
        await store.ApplyAsync([Timed("a", 1) with { Operations = new() { Set = [new("first", true)] } }]);
        Assert.Equal([40, 30, 25, 1], (await ReadHistoryAsync(store, "a")).Select(Minutes));
        Assert.True((await store.GetAsync(User("a")))!.Properties["first"]!.GetValue<bool>());

        // Removing the history removes the whole chain still stored, and the head.
        await store.RemoveHistoryAsync([User("a")]);
        Assert.Empty(await ReadHistoryAsync(store, "a"));
        using var side = OpenSide(store);
        Assert.Equal(0L, Scalar(side, "SELECT count(*) FROM profile_history WHERE feed < 2;"));
        Assert.Equal(1L, Scalar(side, "SELECT count(*) FROM profiles WHERE log_seq IS NULL;"));
    }

    [Fact]
    public async Task ALateRecordForRowsOfAGroupStillBeingCommittedWaitsAndRewritesThem()
    {
        var store = await OpenAsync(Path.Combine(Root, "in-flight"), pipelineAfterUpdates: 1);
        await store.ApplyAsync([Timed("a", 10) with { Operations = new() { Set = [new("plan", "free")] } }]);
        var hold = StageHold.AtCommit(store);

        var first = store.ApplyAsync([Timed("a", 20) with { Operations = new() { Set = [new("plan", "pro")] } }, Timed("a", 30) with { Operations = new() { Set = [new("seats", 3)] } }]);
        await hold.Taken;
        var followerTaken = NextGroupTaken(store);
        var late = store.ApplyAsync([Timed("a", 15) with { Operations = new() { Set = [new("plan", "trial"), new("seats", 1), new("trial", true)] } }]);
        await followerTaken;
        Assert.False(first.IsCompleted);
        Assert.False(late.IsCompleted);
        hold.Release();

        await first;
        Assert.Equal(ApplyStatus.Upserted, Assert.Single(await late).Status);
        var a = (await store.GetAsync(User("a")))!.Properties;
        Assert.Equal("pro", a["plan"]!.GetValue<string>());
        Assert.Equal(3, a["seats"]!.GetValue<int>());
        Assert.True(a["trial"]!.GetValue<bool>());

        var history = await ReadHistoryAsync(store, "a");
        Assert.Equal([30, 20, 15, 10], history.Select(Minutes));
        Assert.Equal("trial", history[1].Diff.Properties.Single(p => p.Name == "plan").Old!.GetValue<string>());

        // The chain is whole: one row per record, each naming the one before it, the head in the
        // profile row. The rows the late record took off it stay for the change feed only.
        using var side = OpenSide(store);
        Assert.Equal(4L, Scalar(side, "SELECT count(*) FROM profile_history WHERE feed < 2;"));
        Assert.Equal(1L, Scalar(side, "SELECT count(*) FROM profile_history WHERE feed < 2 AND prev IS NULL;"));
        Assert.Equal(3L, Scalar(side, "SELECT count(*) FROM profile_history h JOIN profile_history p ON p.seq = h.prev AND p.time <= h.time WHERE h.feed < 2 AND p.feed < 2;"));
        Assert.Equal(Scalar(side, "SELECT max(seq) FROM profile_history WHERE feed < 2;"), Scalar(side, "SELECT log_seq FROM profiles WHERE id = 'a';"));
    }

    [Fact]
    public async Task AProfileDeletedAndCreatedAgainKeepsOneChainThroughLogHeads()
    {
        var store = await OpenAsync(Path.Combine(Root, "deleted"));
        await store.ApplyAsync([Timed("a", 10) with { Operations = new() { Set = [new("v", 1)] } }]);
        await store.ApplyAsync([Timed("a", 20) with { Operations = new() { Delete = true } }]);
        using (var side = OpenSide(store))
        {
            Assert.Equal(1L, Scalar(side, "SELECT count(*) FROM log_heads WHERE id = 'a';"));
        }

        await store.ApplyAsync([Timed("a", 30) with { Operations = new() { Set = [new("v", 2)] } }]);
        Assert.Equal([30, 20, 10], (await ReadHistoryAsync(store, "a")).Select(Minutes));
        using (var side = OpenSide(store))
        {
            Assert.Equal(0L, Scalar(side, "SELECT count(*) FROM log_heads;"));
        }

        // A late record before the deletion: the deletion and the later set are applied again on top.
        await store.ApplyAsync([Timed("a", 15) with { Operations = new() { Set = [new("w", 1)] } }]);
        var a = (await store.GetAsync(User("a")))!.Properties;
        Assert.Equal(2, a["v"]!.GetValue<int>());
        Assert.False(a.ContainsKey("w"));
        Assert.Equal([30, 20, 15, 10], (await ReadHistoryAsync(store, "a")).Select(Minutes));
    }

    [Fact]
    public async Task AMergeAppendsToBothChainsAndAPrivacyDeletionRemovesThemWhole()
    {
        var store = await OpenAsync(Path.Combine(Root, "merge"));
        await store.ApplyAsync([Timed("d1", 10) with { Operations = new() { Set = [new("seen", "landing")] } }, Timed("u1", 20) with { Operations = new() { Set = [new("plan", "pro")] } }]);
        await store.ApplyAsync([Timed("d1", 11) with { Operations = new() { Set = [new("step", 2)] } }]);

        await store.LinkAsync(new IdentityLinkRequest(Project, IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1", T0.AddMinutes(30)));

        // The merged profile's chain ends in its deletion, its head parked; the canonical's in its gain.
        var d1 = await ReadHistoryAsync(store, "d1");
        Assert.Equal(["merge", "engage", "engage"], d1.Select(r => r.Source));
        Assert.Equal(ProfileDiffKind.Delete, d1[0].Diff.Kind);
        var u1 = await ReadHistoryAsync(store, "u1");
        Assert.Equal(["merge", "engage"], u1.Select(r => r.Source));
        Assert.Equal("landing", u1[0].Diff.Properties.Single(p => p.Name == "seen").New!.GetValue<string>());
        using (var side = OpenSide(store))
        {
            Assert.Equal("d1", Scalar(side, "SELECT group_concat(id) FROM log_heads;"));
            Assert.Equal(Scalar(side, "SELECT max(seq) FROM profile_history WHERE id = 'u1';"), Scalar(side, "SELECT log_seq FROM profiles WHERE id = 'u1';"));
        }

        await store.DeleteIdentitiesAsync(Project, ["u1"]);

        Assert.Empty(await ReadHistoryAsync(store, "u1"));
        Assert.Empty(await ReadHistoryAsync(store, "d1"));
        using (var side = OpenSide(store))
        {
            // Only the change feed's notice of the deletion stays.
            Assert.Equal("u1 delete gdpr", Scalar(side, "SELECT group_concat(id || ' ' || kind || ' ' || source) FROM profile_history;"));
            Assert.Equal(0L, Scalar(side, "SELECT count(*) FROM log_heads;"));
        }
    }

    [Fact]
    public async Task APrivacyDeletionAlsoRemovesRowsARetentionCutLeftBehindTheChain()
    {
        var store = await OpenAsync(Path.Combine(Root, "cut-privacy"));
        await store.ApplyAsync([Timed("a", 10, Arrival.AddDays(-100)) with { Operations = new() { Set = [new("plan", "free")] } }]);
        await store.ApplyAsync([Timed("a", 30, Arrival.AddDays(-95)) with { Operations = new() { Set = [new("plan", "pro")] } }]);

        // A late record rewrites the row of minute 30, which keeps its old arrival: the chain is now
        // 30 (old arrival) → 20 (new) → 10 (old), and the purge takes the two old rows.
        await store.ApplyAsync([Timed("a", 20) with { Operations = new() { Set = [new("seats", 3)] } }]);
        await store.PurgeHistoryAsync(Arrival.AddDays(-90));
        Assert.Empty(await ReadHistoryAsync(store, "a"));
        using (var side = OpenSide(store))
        {
            Assert.Equal(1L, Scalar(side, "SELECT count(*) FROM profile_history WHERE id = 'a' AND feed < 2;"));
        }

        await store.DeleteIdentitiesAsync(Project, ["a"]);

        // Only the change feed's notice of the deletion stays.
        using (var side = OpenSide(store))
        {
            Assert.Equal("delete gdpr", Scalar(side, "SELECT group_concat(kind || ' ' || source) FROM profile_history WHERE id = 'a';"));
        }
    }

    [Fact]
    public async Task ChainsStayWholeWhenAGroupWritesItsRowsManyToAStatement()
    {
        var store = await OpenAsync(Path.Combine(Root, "many"));
        var ids = Enumerable.Range(0, 7).Select(i => "m" + i).ToArray();

        // Two groups of 100 records each over 7 profiles: rows of one profile spread over several
        // statements, and the second group's first row of each profile goes on from a stored head.
        for (var round = 0; round < 2; round++)
        {
            var offset = round * 100;
            await store.ApplyAsync([.. Enumerable.Range(offset, 100).Select(i => Timed(ids[i % ids.Length], i) with { Operations = new() { Set = [new("i", i)] } })]);
        }

        foreach (var id in ids)
        {
            var expected = Enumerable.Range(0, 200).Where(i => ids[i % ids.Length] == id).Reverse().ToList();
            Assert.Equal(expected, (await ReadHistoryAsync(store, id)).Select(Minutes));
        }

        using var side = OpenSide(store);
        Assert.Equal(200L, Scalar(side, "SELECT count(*) FROM profile_history;"));
        Assert.Equal((long)ids.Length, Scalar(side, "SELECT count(*) FROM profile_history WHERE prev IS NULL;"));
        Assert.Equal(200L - ids.Length, Scalar(side, "SELECT count(*) FROM profile_history h JOIN profile_history p ON p.seq = h.prev AND p.id = h.id AND p.time < h.time;"));
        Assert.Equal(200L, Scalar(side, "SELECT seq FROM sqlite_sequence WHERE name = 'profile_history';"));
    }

    private static void InsertOldRow(SqliteConnection connection, ProfileUpdate update, string kind, string changes)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO profile_history (project, group_key, id, time, received, source, credential, kind, changes, record_json)
            VALUES ('project-1', '', $id, $time, $time, 'engage', 'token', $kind, $changes, $record);
            """;
        command.Parameters.AddWithValue("$id", update.Key.Id);
        command.Parameters.AddWithValue("$time", update.Time.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$changes", changes);
        command.Parameters.AddWithValue("$record", ProfileUpdateJson.Serialize(update));
        command.ExecuteNonQuery();
    }
}
