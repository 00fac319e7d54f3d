using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// What every backend's <see cref="IChangeFeed"/> must do: the committed changes of a project, in
/// order, each once to a reader that resumes from its last position; waiting readers woken by a
/// commit; webhook positions kept durably.
/// </summary>
public abstract class ChangeFeedContract : StoreContract
{
    protected const string Project = "feed-project";

    protected static ProfileUpdate Set(string id, string name, JsonNode? value, string project = Project, string groupKey = "") => new()
    {
        Key = new ProfileKey(project, groupKey, id),
        Time = DateTimeOffset.UtcNow,
        Operations = new() { Set = [new KeyValuePair<string, JsonNode?>(name, value)] },
    };

    protected static ProfileUpdate Unset(string id, string name) => Set(id, "unused", null) with { Operations = new() { Set = null, Unset = [name] } };

    protected static ProfileUpdate Delete(string id) => Set(id, "unused", null) with { Operations = new() { Set = null, Delete = true } };

    /// <summary>
    /// Reads <paramref name="expected"/> changes of <paramref name="project"/> after
    /// <paramref name="after"/>, <paramref name="limit"/> at a time, then checks that no more is
    /// readable. Each read may wait: on PostgreSQL a committed change becomes readable once every
    /// older write transaction of the cluster has ended, and other tests write at the same time.
    /// </summary>
    protected internal static async Task<(List<FeedChange> Changes, ChangePosition Next)> ReadAllAsync(IChangeFeed feed, ChangePosition after, int limit, int expected, string project = Project, string groupKey = "")
    {
        var all = new List<FeedChange>();
        while (all.Count < expected)
        {
            var page = await feed.ReadChangesAsync(new ChangeFeedQuery(project, groupKey, after, limit), TimeSpan.FromSeconds(30));
            Assert.True(page.Changes.Count > 0, $"only {all.Count} of {expected} changes were readable");
            Assert.True(page.Changes.Count <= limit);
            Assert.Equal(page.Changes[^1].Position, page.Next);
            all.AddRange(page.Changes);
            after = page.Next;
        }

        var rest = await feed.ReadChangesAsync(new ChangeFeedQuery(project, groupKey, after, limit), TimeSpan.Zero);
        Assert.Empty(rest.Changes);
        Assert.Equal(after, rest.Next);
        Assert.Equal(expected, all.Count);
        return (all, after);
    }

    [Fact]
    public async Task ChangesComeInCommitOrderWithWhatChanged()
    {
        var store = await NewAsync();
        var feed = Assert.IsAssignableFrom<IChangeFeed>(store);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeMilliseconds();

        await store.ApplyAsync([Set("u1", "plan", "free")]);
        await store.ApplyAsync([Set("u2", "plan", "pro")]);
        await store.ApplyAsync([Set("u1", "plan", "pro")]);
        await store.ApplyAsync([Unset("u1", "plan")]);
        await store.ApplyAsync([Delete("u2")]);

        var (changes, _) = await ReadAllAsync(feed, ChangePosition.Start, 100, 5);

        Assert.Equal(["u1", "u2", "u1", "u1", "u2"], changes.Select(change => change.Key.Id));
        Assert.Equal(["upsert", "upsert", "upsert", "upsert", "delete"], changes.Select(change => change.Kind));
        Assert.Equal("free", JsonNode.Parse(changes[0].ChangedJson)!["plan"]!.GetValue<string>());
        Assert.Equal("pro", JsonNode.Parse(changes[2].ChangedJson)!["plan"]!.GetValue<string>());
        Assert.Contains("plan", JsonNode.Parse(changes[3].RemovedJson)!.AsArray().Select(name => name!.GetValue<string>()));
        Assert.Equal("{}", JsonNode.Parse(changes[4].ChangedJson)!.ToJsonString());
        Assert.Equal("[]", JsonNode.Parse(changes[4].RemovedJson)!.ToJsonString());
        Assert.All(changes, change => Assert.InRange(change.Received, before, DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeMilliseconds()));
        Assert.Equal(changes.Count, changes.Select(change => change.Position).Distinct().Count());
        Assert.True(changes.Zip(changes.Skip(1)).All(pair => pair.First.Position < pair.Second.Position), "positions ascend");
    }

    [Fact]
    public async Task AFeedHoldsOnlyItsProjectAndGroupKey()
    {
        var store = await NewAsync();
        var feed = (IChangeFeed)store;
        await store.ApplyAsync([Set("u1", "a", 1), Set("u1", "a", 2, project: "other"), Set("acme", "a", 3, groupKey: "company")]);

        Assert.Equal(["u1"], (await ReadAllAsync(feed, ChangePosition.Start, 10, 1)).Changes.Select(change => change.Key.Id));
        Assert.Equal([("other", "u1")], (await ReadAllAsync(feed, ChangePosition.Start, 10, 1, project: "other")).Changes.Select(change => (change.Key.Project, change.Key.Id)));
        var group = Assert.Single((await ReadAllAsync(feed, ChangePosition.Start, 10, 1, groupKey: "company")).Changes);
        Assert.Equal(("company", "acme"), (group.Key.GroupKey, group.Key.Id));
    }

    [Fact]
    public async Task AReaderResumingFromItsPositionSeesEveryChangeOnceAcrossARestart()
    {
        var store = await NewAsync();
        for (var batch = 0; batch < 5; batch++)
        {
            await store.ApplyAsync([.. Enumerable.Range(0, 7).Select(i => Set($"u{i}", "n", batch * 10 + i))]);
        }

        var (first, position) = await ReadAllAsync((IChangeFeed)store, ChangePosition.Start, 3, 35);
        Assert.Equal(35, first.Count);

        store = await ReopenAsync(store);
        await store.ApplyAsync([Set("u0", "n", 100), Set("late", "n", 101)]);
        var (second, _) = await ReadAllAsync((IChangeFeed)store, position, 4, 2);

        Assert.Equal(["u0", "late"], second.Select(change => change.Key.Id));
        var all = first.Concat(second).Select(change => change.Position).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task AWaitingReaderIsAnsweredByTheNextCommit()
    {
        var store = await NewAsync();
        var feed = (IChangeFeed)store;
        await store.ApplyAsync([Set("u1", "n", 1)]);

        // Read up to u1 first: on PostgreSQL a committed change may become readable only once older
        // write transactions elsewhere on the cluster end, so an end position taken now may precede it.
        var (_, end) = await ReadAllAsync(feed, ChangePosition.Start, 10, 1);

        // Generous: the read returns as soon as the change is readable, long before this.
        var waiting = feed.ReadChangesAsync(new ChangeFeedQuery(Project, "", end, 10), TimeSpan.FromSeconds(60));
        await store.ApplyAsync([Set("u2", "n", 2)]);
        var page = await waiting.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("u2", Assert.Single(page.Changes).Key.Id);
    }

    [Fact]
    public async Task AWaitWithNothingCommittedEndsEmptyAtItsDeadline()
    {
        var store = await NewAsync();
        var feed = (IChangeFeed)store;
        var page = await feed.ReadChangesAsync(new ChangeFeedQuery(Project, "", ChangePosition.Start, 10), TimeSpan.FromMilliseconds(300));
        Assert.Empty(page.Changes);
        Assert.Equal(ChangePosition.Start, page.Next);
    }

    [Fact]
    public async Task WebhookPositionsAreKeptDurably()
    {
        var store = await NewAsync();
        await using (var lease = await ((IWebhookCursorStore)store).TryAcquireWebhookLeaseAsync())
        {
            Assert.NotNull(lease);
            Assert.Null(await lease.GetCursorAsync("hook-a"));
            await lease.SaveCursorAsync("hook-a", new ChangePosition(7, 11));
            await lease.SaveCursorAsync("hook-a", new ChangePosition(8, 12));
            await lease.SaveCursorAsync("hook-b", new ChangePosition(0, 3));
        }

        store = await ReopenAsync(store);
        await using var again = await ((IWebhookCursorStore)store).TryAcquireWebhookLeaseAsync();
        Assert.NotNull(again);
        var a = await again.GetCursorAsync("hook-a");
        var b = await again.GetCursorAsync("hook-b");
        Assert.Equal(12, a!.Value.Sequence);
        Assert.Equal(3, b!.Value.Sequence);
    }

    [Fact]
    public async Task ALateRecordLeavesTheFeedAsItsReadersSawItAndAddsItsNetEffect()
    {
        var store = await NewAsync();
        var feed = (IChangeFeed)store;
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        ProfileUpdate Timed(int minutes, params (string Name, JsonNode Value)[] sets) => Set("late", "unused", null) with
        {
            Time = t0.AddMinutes(minutes),
            TimeFromRecord = true,
            Operations = new() { Set = [.. sets.Select(s => new KeyValuePair<string, JsonNode?>(s.Name, s.Value))] },
        };

        await store.ApplyAsync([Timed(10, ("plan", "free"))]);
        await store.ApplyAsync([Timed(20, ("plan", "pro")), Timed(30, ("seats", 2))]);
        var (seen, _) = await ReadAllAsync(feed, ChangePosition.Start, 100, 3);

        // Before both newer records: they are applied again on top of it, off the feed.
        await store.ApplyAsync([Timed(15, ("plan", "trial"), ("seats", 1), ("trial", true))]);

        var (after, _) = await ReadAllAsync(feed, ChangePosition.Start, 100, 4);
        Assert.Equal(seen.Select(c => (c.Position, c.ChangedJson)), after.Take(3).Select(c => (c.Position, c.ChangedJson)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"trial":true}"""), JsonNode.Parse(after[3].ChangedJson)), after[3].ChangedJson);

        // Replaying the feed ends in the stored profile; the history is the fold in time order.
        JsonObject replayed = [];
        foreach (var change in after)
        {
            foreach (var (name, value) in JsonNode.Parse(change.ChangedJson)!.AsObject())
            {
                replayed[name] = value?.DeepClone();
            }
        }

        Assert.True(JsonNode.DeepEquals((await store.GetAsync(new ProfileKey(Project, "", "late")))!.Properties, replayed));
        var history = new List<HistoryRecord>();
        await foreach (var record in ((IProfileHistory)store).ReadHistoryAsync(new HistoryQuery(new ProfileKey(Project, "", "late"))))
        {
            history.Add(record);
        }

        Assert.Equal([30, 20, 15, 10], history.Select(r => (int)Math.Round((DateTimeOffset.FromUnixTimeMilliseconds(r.Time) - t0).TotalMinutes)));
    }
}
