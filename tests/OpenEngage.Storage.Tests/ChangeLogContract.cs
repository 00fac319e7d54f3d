using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The change log (<c>profile_changes</c>) and the history rows every backend writes in the
/// transaction of each profile write. A backend's test class supplies fresh stores and reads the
/// tables back.
/// </summary>
public abstract partial class ChangeLogContract : IAsyncLifetime
{
    protected const string Project = "project-1";
    protected static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    protected static readonly DateTimeOffset Arrival = new(2024, 5, 2, 8, 30, 0, TimeSpan.Zero);

    private readonly List<IProfileStore> _stores = [];

    /// <summary>Creates a fresh, empty, initialized store with the given history settings.</summary>
    protected abstract Task<IProfileStore> CreateStoreAsync(HistoryOptions history);

    /// <summary>Every row of <c>profile_changes</c> of the last store created, in <c>seq</c> order.</summary>
    protected abstract Task<IReadOnlyList<ChangeRow>> ReadChangesAsync();

    /// <summary>The number of rows of the property history of the last store created.</summary>
    protected abstract Task<long> CountHistoryRowsAsync();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    protected async Task<IProfileStore> StoreAsync(HistoryOptions? history = null)
    {
        var store = await CreateStoreAsync(history ?? new HistoryOptions());
        _stores.Add(store);
        return store;
    }

    protected static ProfileUpdate Update(string id, int minutes, string source = "engage") => new()
    {
        Key = new ProfileKey(Project, "", id),
        Time = T0.AddMinutes(minutes),
        ReceivedAt = Arrival,
        Source = source,
        Credential = "token",
        Operations = new(),
    };

    protected static KeyValuePair<string, JsonNode?> P(string name, JsonNode? value) => new(name, value);

    [Fact]
    public async Task EveryAppliedChangeWritesOneRowInCommitOrderAndNothingElseDoes()
    {
        var store = await StoreAsync();

        var results = await store.ApplyAsync([
            Update("a", 0) with { Operations = new() { Set = [P("plan", "free"), P("n", 1)] } },
            Update("a", 1, "ui") with { IgnoreTime = true, Operations = new() { Set = [P("plan", "pro")], Unset = ["n"] } },
            Update("a", 2) with { IgnoreTime = true, Operations = new() { Set = [P("plan", "pro")] } },                 // no change: no row
            Update("b", 3) with { Operations = new() { Unset = ["x"] } },                                               // no profile, nothing created: no row
            Update("a", 4) with { Operations = new() { Add = [new("n", 1)], Set = [P("plan", JsonValue.Create(3))] } },
        ]);
        await store.ApplyAsync([Update("a", 5) with { Operations = new() { Delete = true } }, Update("a", 6) with { Operations = new() { Delete = true } }]);

        Assert.Equal([ApplyStatus.Upserted, ApplyStatus.Upserted, ApplyStatus.Unchanged, ApplyStatus.Unchanged, ApplyStatus.Upserted], results.Select(r => r.Status));
        var rows = await ReadChangesAsync();
        Assert.Equal(4, rows.Count);
        Assert.True(rows.Zip(rows.Skip(1)).All(pair => pair.First.Seq < pair.Second.Seq));
        Assert.All(rows, row => Assert.Equal(("", "a"), (row.GroupKey, row.Id)));
        Assert.All(rows, row => Assert.Equal(Arrival.ToUnixTimeMilliseconds(), row.Received));
        Assert.Equal([0, 1, 4, 5], rows.Select(r => (int)((r.Time - T0.ToUnixTimeMilliseconds()) / 60_000)));
        Assert.Equal(["engage", "ui", "engage", "engage"], rows.Select(r => r.Source));
        Assert.Equal(["upsert", "upsert", "upsert", "delete"], rows.Select(r => r.Kind));

        var created = ProfileTime.Format(T0);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"plan":"free","n":1,"$created":"{{created}}","$last_seen":"{{created}}"}"""), rows[0].Changed));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("[]"), rows[0].Removed));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"plan":"pro"}"""), rows[1].Changed));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["n"]"""), rows[1].Removed));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"plan":3,"n":1,"$last_seen":"{{ProfileTime.Format(T0.AddMinutes(4))}}"}"""), rows[2].Changed));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{}"), rows[3].Changed));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("[]"), rows[3].Removed));
        Assert.Equal(7, await CountHistoryRowsAsync()); // every accepted record is logged, changed or not
    }

    [Fact]
    public async Task ConcurrentBatchesEachGetTheirRowsAndSeqFollowsTheStoredState()
    {
        var store = await StoreAsync();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(batch =>
            store.ApplyAsync([.. Enumerable.Range(0, 50).Select(i => Update("u" + (i % 5), i) with { Operations = new() { Add = [new("n", 1)] } })])));

        var rows = await ReadChangesAsync();
        Assert.Equal(400, rows.Count);

        // Replaying each profile's rows in seq order ends in the stored value.
        foreach (var id in Enumerable.Range(0, 5).Select(i => "u" + i))
        {
            var last = rows.Where(r => r.Id == id).Select(r => r.Changed["n"]!.GetValue<decimal>()).ToList();
            Assert.Equal(Enumerable.Range(1, 80).Select(i => (decimal)i), last);
            var stored = await store.GetAsync(ProfileKey.User(Project, id));
            Assert.Equal(80m, stored!.Properties["n"]!.GetValue<decimal>());
        }
    }

    [Fact]
    public async Task WithHistoryOffNothingIsRecorded()
    {
        var store = await StoreAsync(HistoryOptions.Off);

        await store.ApplyAsync([Update("a", 0) with { Operations = new() { Set = [P("plan", "free")] } }, Update("a", 1) with { Operations = new() { Delete = true } }]);

        Assert.Empty(await ReadChangesAsync());
        Assert.Equal(0, await CountHistoryRowsAsync());
        Assert.Null(await store.GetAsync(ProfileKey.User(Project, "a")));
    }

    [Fact]
    public async Task GroupProfilesCarryTheirGroupKey()
    {
        var store = await StoreAsync();

        await store.ApplyAsync([Update("acme", 0, "groups") with { Key = new ProfileKey(Project, "company", "acme"), Operations = new() { Set = [P("size", 10)] } }]);

        var row = Assert.Single(await ReadChangesAsync());
        Assert.Equal(("company", "acme", "groups"), (row.GroupKey, row.Id, row.Source));
    }

    /// <summary>One row of <c>profile_changes</c>.</summary>
    public sealed record ChangeRow(long Seq, string Project, string GroupKey, string Id, string Kind, JsonObject Changed, JsonArray Removed, long Time, long Received, string Source);
}
