using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>Reading the history back, its retention purge and a profile's removal, on every store.</summary>
public abstract partial class ChangeLogContract
{
    [Fact]
    public async Task HistoryReadsBackNewestFirstWithOldAndNewValues()
    {
        var store = await StoreAsync();
        var history = (IProfileHistory)store;
        await store.ApplyAsync([Update("a", 1) with { Operations = new() { Set = [P("plan", "free")] } }, Update("b", 1) with { Operations = new() { Set = [P("plan", "x")] } }]);
        await store.ApplyAsync([Update("a", 3) with { Operations = new() { Set = [P("plan", "pro")] } }]);
        await store.ApplyAsync([Update("a", 2) with { IgnoreTime = true, Operations = new() { Unset = ["plan"] } }]);

        var records = await ReadAsync(history, new HistoryQuery(ProfileKey.User(Project, "a")));

        Assert.Equal([3, 2, 1], records.Select(r => (int)((r.Time - T0.ToUnixTimeMilliseconds()) / 60_000)));
        var plan = records.Select(r => r.Diff.Properties.Single(p => p.Name == "plan")).ToList();
        // The late $unset at minute 2 re-folded minute 3: "pro" now replaces nothing.
        Assert.Equal([(false, true), (true, false), (false, true)], plan.Select(p => (p.Had, p.Has)));
        Assert.Equal("pro", plan[0].New!.GetValue<string>());
        Assert.Equal("free", plan[1].Old!.GetValue<string>());

        var ranged = await ReadAsync(history, new HistoryQuery(ProfileKey.User(Project, "a")) { FromMs = T0.AddMinutes(2).ToUnixTimeMilliseconds(), ToMs = T0.AddMinutes(2).ToUnixTimeMilliseconds() });
        Assert.Equal(ProfileDiffKind.Update, Assert.Single(ranged).Diff.Kind);
    }

    [Fact]
    public async Task ChangesAfterATimeComeOneProfileAfterAnotherNewestFirstAndUndoToThatTime()
    {
        var store = await StoreAsync();
        var history = (IProfileHistory)store;
        await store.ApplyAsync([Update("b", 1) with { Operations = new() { Set = [P("plan", "free")] } }, Update("a", 1) with { Operations = new() { Set = [P("plan", "free")] } }, Update("c", 1) with { Operations = new() { Set = [P("plan", "free")] } }]);
        await store.ApplyAsync([Update("b", 3) with { Operations = new() { Set = [P("plan", "pro")] } }, Update("a", 2) with { Operations = new() { Set = [P("seats", 5)] } }]);
        await store.ApplyAsync([Update("a", 4) with { Operations = new() { Set = [P("plan", "team")] } }, Update("b", 5) with { Operations = new() { Delete = true } }]);
        await store.ApplyAsync([Update("group", 9) with { Key = new ProfileKey(Project, "company", "group"), Operations = new() { Set = [P("plan", "free")] } }]);

        var after = T0.AddMinutes(1).ToUnixTimeMilliseconds();
        var changes = new List<LoggedDiff>();
        await foreach (var change in history.ReadChangesAfterAsync(Project, "", after))
        {
            changes.Add(change);
        }

        // a at minutes 4 and 2, then b at minutes 5 and 3; c and the group profile have nothing after minute 1.
        Assert.Equal(["a", "a", "b", "b"], changes.Select(c => c.Id));
        Assert.Equal([ProfileDiffKind.Update, ProfileDiffKind.Update, ProfileDiffKind.Delete, ProfileDiffKind.Update], changes.Select(c => c.Diff.Kind));

        // Undone newest first, each profile is back at minute 1: a had no seats, b existed as "free".
        var a = (await store.GetAsync(ProfileKey.User(Project, "a")))!.Properties;
        foreach (var change in changes.Where(c => c.Id == "a"))
        {
            a = change.Diff.Undo(a)!;
        }

        Assert.Equal("free", a["plan"]!.GetValue<string>());
        Assert.False(a.ContainsKey("seats"));
        JsonObject? b = null;
        foreach (var change in changes.Where(c => c.Id == "b"))
        {
            b = change.Diff.Undo(b);
        }

        Assert.Equal("free", b!["plan"]!.GetValue<string>());
    }

    [Fact]
    public async Task ThePurgeRemovesWhatArrivedBeforeTheCutoffFromBothLogs()
    {
        var store = await StoreAsync();
        var history = (IProfileHistory)store;
        await store.ApplyAsync([Update("old", 1) with { ReceivedAt = Arrival.AddDays(-100), Operations = new() { Set = [P("v", 1)] } }]);
        await store.ApplyAsync([Update("new", 2) with { Operations = new() { Set = [P("v", 1)] } }]);

        var removed = await history.PurgeHistoryAsync(Arrival.AddDays(-90));

        Assert.Equal(1, removed); // one log row per record that changed a profile: its history row, which the feed reads too
        Assert.Equal(["new"], (await ReadChangesAsync()).Select(r => r.Id));
        Assert.Empty(await ReadAsync(history, new HistoryQuery(ProfileKey.User(Project, "old"))));
        Assert.Single(await ReadAsync(history, new HistoryQuery(ProfileKey.User(Project, "new"))));
        Assert.NotNull(await store.GetAsync(ProfileKey.User(Project, "old")));

        // The writer still works on the purged profile: a record older than anything kept applies on top.
        await store.ApplyAsync([Update("old", 0) with { Operations = new() { Set = [P("w", 2)] } }]);
        Assert.Equal(2, (await store.GetAsync(ProfileKey.User(Project, "old")))!.Properties["w"]!.GetValue<int>());
    }

    [Fact]
    public async Task RemovingAProfilesHistoryLeavesOthersAndTheWriterConsistent()
    {
        var store = await StoreAsync();
        var history = (IProfileHistory)store;
        await store.ApplyAsync([Update("a", 5) with { Operations = new() { Set = [P("email", "a@example.com")] } }, Update("b", 5) with { Operations = new() { Set = [P("email", "b@example.com")] } }]);

        await history.RemoveHistoryAsync([ProfileKey.User(Project, "a")]);

        Assert.Empty(await ReadAsync(history, new HistoryQuery(ProfileKey.User(Project, "a"))));
        Assert.Single(await ReadAsync(history, new HistoryQuery(ProfileKey.User(Project, "b"))));

        // With its log gone, a late record for the profile has nothing to re-fold: it applies on top.
        await store.ApplyAsync([Update("a", 1) with { Operations = new() { Set = [P("email", "late@example.com")] } }]);
        Assert.Equal("late@example.com", (await store.GetAsync(ProfileKey.User(Project, "a")))!.Properties["email"]!.GetValue<string>());
        Assert.Single(await ReadAsync(history, new HistoryQuery(ProfileKey.User(Project, "a"))));
    }

    private static async Task<List<HistoryRecord>> ReadAsync(IProfileHistory history, HistoryQuery query)
    {
        var records = new List<HistoryRecord>();
        await foreach (var record in history.ReadHistoryAsync(query))
        {
            records.Add(record);
        }

        return records;
    }
}
