using System.Text.Json.Nodes;
using OpenEngage.Profiles;
using OpenEngage.Storage.Identity;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// What every backend's <see cref="IIdentityStore"/> must do (contract §8): the link rules of each
/// mode, the cluster limit, profile merges in the same durable step, unmerge and deletion.
/// </summary>
public abstract class IdentityStoreContract : StoreContract
{
    protected const string Project = "p1";
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private const string Anon = "9b2f6a3e-5c1d-4e8f-9a7b-1c2d3e4f5a6b";

    protected static IIdentityStore Map(IProfileStore store) => Assert.IsAssignableFrom<IIdentityStore>(store);

    protected static IdentityLinkRequest Link(IdentityMode mode, IdentityLinkKind kind, string target, string source, int minute = 0) =>
        new(Project, mode, kind, target, source, T0.AddMinutes(minute));

    protected static ProfileUpdate Set(string id, params (string Name, JsonNode? Value)[] properties) => new()
    {
        Key = new ProfileKey(Project, "", id),
        Time = T0,
        Operations = new() { Set = [.. properties.Select(p => new KeyValuePair<string, JsonNode?>(p.Name, p.Value))] },
    };

    protected static async Task<JsonObject?> PropertiesAsync(IProfileStore store, string id) =>
        (await store.GetAsync(ProfileKey.User(Project, id)))?.Properties;

    [Fact]
    public async Task SimplifiedModeLinksBothDeviceSpellingsToTheUserAndMergesTheDeviceProfile()
    {
        var store = await NewAsync();
        await store.ApplyAsync([
            Set("$device:" + Anon, ("plan", "free"), ("seen", "landing"), ("tags", new JsonArray("a", "b"))),
            Set("u1", ("plan", "pro"), ("tags", new JsonArray("b", "c"))),
        ]);

        var result = await Map(store).LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.Identify, "u1", "$device:" + Anon));

        Assert.Equal(IdentityLinkStatus.Linked, result.Status);
        Assert.Equal("u1", result.Canonical);
        Assert.Equal(["$device:" + Anon, Anon], result.Moved);
        var merged = await PropertiesAsync(store, "u1");
        Assert.NotNull(merged);
        Assert.Equal("pro", (string?)merged["plan"]);
        Assert.Equal("landing", (string?)merged["seen"]);
        Assert.Equal(["b", "c", "a"], merged["tags"]!.AsArray().Select(item => (string?)item));
        Assert.Null(await PropertiesAsync(store, "$device:" + Anon));
        var canonical = await Map(store).FindCanonicalIdsAsync(Project, ["$device:" + Anon, Anon, "u1", "other"]);
        Assert.Equal(new Dictionary<string, string> { ["$device:" + Anon] = "u1", [Anon] = "u1" }, canonical);
    }

    [Fact]
    public async Task SimplifiedModeNeverMovesADeviceToASecondUserNorMergesUsers()
    {
        var store = await NewAsync();
        var map = Map(store);
        await map.LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1"));

        var second = await map.LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u2", "d1"));
        var alias = await map.LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.Alias, "u1", "u2"));
        var merge = await map.LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.Merge, "u1", "u2"));
        var again = await map.LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1"));

        Assert.Equal(IdentityLinkStatus.Ignored, second.Status);
        Assert.Contains("already linked to the user id \"u1\"", second.Message, StringComparison.Ordinal);
        Assert.Equal(IdentityLinkStatus.Ignored, alias.Status);
        Assert.Equal(IdentityLinkStatus.Ignored, merge.Status);
        Assert.Equal(IdentityLinkStatus.Unchanged, again.Status);
        Assert.Null(await map.GetClusterAsync(Project, "u2"));
        var cluster = await map.GetClusterAsync(Project, "d1");
        Assert.NotNull(cluster);
        Assert.Equal("u1", cluster.Canonical);
        Assert.Equal(["u1", "$device:d1", "d1"], cluster.Members.Select(member => member.Id));
        Assert.Equal(IdentityMember.CanonicalHow, cluster.Members[0].How);
        Assert.All(cluster.Members.Skip(1), member => Assert.Equal(("$device_id", "u1", T0), (member.How, member.Via, member.LinkedAt)));
    }

    [Fact]
    public async Task OriginalModeIdentifyMergesOnlyAUuidV4AnonIdNotYetMergedElsewhere()
    {
        var store = await NewAsync();
        var map = Map(store);

        var notUuid = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Identify, "u1", "anon-7"));
        var linked = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Identify, "u1", "$device:" + Anon));
        var elsewhere = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Identify, "u2", Anon));

        Assert.Equal(IdentityLinkStatus.Ignored, notUuid.Status);
        Assert.Contains("not a UUIDv4", notUuid.Message, StringComparison.Ordinal);
        Assert.Null(await map.GetClusterAsync(Project, "anon-7"));
        Assert.Equal(IdentityLinkStatus.Linked, linked.Status);
        Assert.Equal(IdentityLinkStatus.Ignored, elsewhere.Status);
        Assert.Contains("already merged into the identified id \"u1\"", elsewhere.Message, StringComparison.Ordinal);
        Assert.Equal("u1", (await map.GetClusterAsync(Project, Anon))!.Canonical);
    }

    [Fact]
    public async Task OriginalModeAliasesResolveThroughChainsAndAnAliasElsewhereIsRejected()
    {
        var store = await NewAsync();
        var map = Map(store);
        await store.ApplyAsync([Set("a1", ("only_alias", 1)), Set("d1", ("plan", "pro"))]);

        var first = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "d1", "a1"));
        var chained = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "a1", "a2", 1));
        var taken = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "d2", "a1", 2));

        Assert.Equal((IdentityLinkStatus.Linked, "d1"), (first.Status, first.Canonical));
        Assert.Equal((IdentityLinkStatus.Linked, "d1"), (chained.Status, chained.Canonical));
        Assert.Equal(IdentityLinkStatus.Rejected, taken.Status);
        Assert.Contains("already linked to another cluster", taken.Message, StringComparison.Ordinal);
        Assert.Equal("d1", (await map.GetClusterAsync(Project, "a2"))!.Canonical);
        Assert.Null(await map.GetClusterAsync(Project, "d2"));
        var merged = await PropertiesAsync(store, "d1");
        Assert.Equal(("pro", 1), ((string?)merged!["plan"], (int?)merged["only_alias"]));
        Assert.Null(await PropertiesAsync(store, "a1"));
    }

    [Fact]
    public async Task MergeJoinsTwoClustersUnderTheFirstIdsCanonical()
    {
        var store = await NewAsync();
        var map = Map(store);
        await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "x", "x-alias"));
        await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "y", "y-alias"));
        await store.ApplyAsync([Set("x", ("name", "X")), Set("y", ("name", "Y"), ("city", "Oslo"))]);

        var merged = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Merge, "x-alias", "y-alias", 5));

        Assert.Equal((IdentityLinkStatus.Linked, "x"), (merged.Status, merged.Canonical));
        var cluster = await map.GetClusterAsync(Project, "y");
        Assert.Equal(["x", "x-alias", "y", "y-alias"], cluster!.Members.Select(member => member.Id).Order(StringComparer.Ordinal));
        Assert.All(cluster.Members, member => Assert.Equal("x", member.Canonical));
        var profile = await PropertiesAsync(store, "x");
        Assert.Equal(("X", "Oslo"), ((string?)profile!["name"], (string?)profile["city"]));
        Assert.Null(await PropertiesAsync(store, "y"));
    }

    [Fact]
    public async Task AClusterHoldsAtMostFiveHundredIds()
    {
        var store = await NewAsync();
        var map = Map(store);
        for (var i = 1; i < IdentityPlanner.MaxClusterSize; i++)
        {
            Assert.Equal(IdentityLinkStatus.Linked, (await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "big", $"alias-{i}"))).Status);
        }

        var past = await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "big", "alias-500"));

        Assert.Equal(IdentityLinkStatus.Rejected, past.Status);
        Assert.Contains("at most 500", past.Message, StringComparison.Ordinal);
        Assert.Equal(IdentityPlanner.MaxClusterSize, (await map.GetClusterAsync(Project, "big"))!.Members.Count);
        Assert.Null(await map.GetClusterAsync(Project, "alias-500"));
    }

    [Fact]
    public async Task UnmergeSplitsAnIdOutAndKeepsItApart()
    {
        var store = await NewAsync();
        var map = Map(store);
        await map.LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1"));

        Assert.Equal(IdentityUnmergeStatus.IsCanonical, await map.UnmergeAsync(Project, "u1", T0));
        Assert.Equal(IdentityUnmergeStatus.NotLinked, await map.UnmergeAsync(Project, "nobody", T0));
        Assert.Equal(IdentityUnmergeStatus.Unmerged, await map.UnmergeAsync(Project, "$device:d1", T0.AddHours(1)));
        var relink = await map.LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1", 90));

        Assert.Equal(IdentityLinkStatus.Ignored, relink.Status);
        Assert.Empty(await map.FindCanonicalIdsAsync(Project, ["$device:d1"]));
        Assert.Equal(["u1", "d1"], (await map.GetClusterAsync(Project, "u1"))!.Members.Select(member => member.Id));
        var split = Assert.Single((await map.GetClusterAsync(Project, "$device:d1"))!.Members);
        Assert.Equal((IdentityMember.UnmergedHow, "u1"), (split.How, split.Via));
        Assert.Equal(IdentityUnmergeStatus.Unmerged, await map.UnmergeAsync(Project, "d1", T0));
        Assert.Null(await map.GetClusterAsync(Project, "u1"));
    }

    [Fact]
    public async Task DeletionRemovesEveryProfileOfTheClusterAndItsMapEntries()
    {
        var store = await NewAsync();
        var map = Map(store);
        await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "victim", "victim-alias"));
        await store.ApplyAsync([Set("victim", ("email", "v@example.com")), Set("bystander", ("email", "b@example.com"))]);
        await store.ApplyAsync([Set("victim-alias", ("note", "x"))]);

        var removed = await map.DeleteIdentitiesAsync(Project, ["victim-alias"]);

        Assert.Equal(["victim", "victim-alias"], removed);
        Assert.Null(await PropertiesAsync(store, "victim"));
        Assert.Null(await PropertiesAsync(store, "victim-alias"));
        Assert.Null(await map.GetClusterAsync(Project, "victim"));
        Assert.NotNull(await PropertiesAsync(store, "bystander"));
    }

    [Fact]
    public async Task AMergeIsInTheChangeLogAndTheHistoryAndALateRecordKeepsIt()
    {
        var store = await NewAsync();
        await store.ApplyAsync([
            Set("d1", ("plan", "free"), ("seen", "landing"), ("tags", new JsonArray("a"))),
            Set("u1", ("plan", "pro"), ("tags", new JsonArray("b"))),
        ]);
        var feed = Assert.IsAssignableFrom<IChangeFeed>(store);

        await Map(store).LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1"));

        var changes = (await ReadChangesAsync(feed, ChangePosition.Start, expected: 4)).Where(change => change.Source == "merge").ToList();
        Assert.Equal(
            [("d1", FeedChange.Delete, "merge"), ("u1", FeedChange.Upsert, "merge")],
            changes.Select(change => (change.Key.Id, change.Kind, change.Source)).Order());
        var gained = JsonNode.Parse(changes.Single(change => change.Key.Id == "u1").ChangedJson)!.AsObject();
        Assert.Equal("landing", (string?)gained["seen"]);
        Assert.Equal(["b", "a"], gained["tags"]!.AsArray().Select(item => (string?)item));
        Assert.False(gained.ContainsKey("plan"));

        var history = Assert.IsAssignableFrom<IProfileHistory>(store);
        var newest = await history.ReadHistoryAsync(new HistoryQuery(ProfileKey.User(Project, "u1"))).FirstAsync();
        Assert.Equal("merge", newest.Source);
        Assert.Contains(newest.Diff.Properties, change => change.Name == "seen" && !change.Had && (string?)change.New == "landing");

        // A record older than the merge re-folds the profile from its record log, the merge included.
        await store.ApplyAsync([Set("u1", ("plan", "old")) with { Time = T0.AddMinutes(-5) }]);
        var profile = await PropertiesAsync(store, "u1");
        Assert.Equal(("pro", "landing"), ((string?)profile!["plan"], (string?)profile["seen"]));
        Assert.Equal(["b", "a"], profile["tags"]!.AsArray().Select(item => (string?)item));
    }

    [Fact]
    public async Task ADeletionRemovesTheHistoryAndTellsTheChangeFeed()
    {
        var store = await NewAsync();
        await store.ApplyAsync([Set("victim", ("email", "v@example.com")), Set("bystander", ("email", "b@example.com"))]);
        var feed = Assert.IsAssignableFrom<IChangeFeed>(store);
        var history = Assert.IsAssignableFrom<IProfileHistory>(store);
        Assert.NotEmpty(await history.ReadHistoryAsync(new HistoryQuery(ProfileKey.User(Project, "victim"))).ToListAsync());

        await Map(store).DeleteIdentitiesAsync(Project, ["victim"]);

        Assert.Empty(await history.ReadHistoryAsync(new HistoryQuery(ProfileKey.User(Project, "victim"))).ToListAsync());
        Assert.NotEmpty(await history.ReadHistoryAsync(new HistoryQuery(ProfileKey.User(Project, "bystander"))).ToListAsync());
        var changes = await ReadChangesAsync(feed, ChangePosition.Start, expected: 2);
        Assert.Equal(
            [("bystander", FeedChange.Upsert, "engage"), ("victim", FeedChange.Delete, "gdpr")],
            changes.Select(change => (change.Key.Id, change.Kind, change.Source)));
        Assert.DoesNotContain(changes, change => change.ChangedJson.Contains("v@example.com", StringComparison.Ordinal));
    }

    /// <summary>Reads the feed after <paramref name="after"/> until <paramref name="expected"/> changes are readable (or the wait ends).</summary>
    private static async Task<List<FeedChange>> ReadChangesAsync(IChangeFeed feed, ChangePosition after, int expected)
    {
        var changes = new List<FeedChange>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (changes.Count < expected && DateTime.UtcNow < deadline)
        {
            var page = await feed.ReadChangesAsync(new ChangeFeedQuery(Project, "", after, 100), TimeSpan.FromSeconds(5));
            changes.AddRange(page.Changes);
            after = page.Next;
        }

        return changes;
    }

    [Fact]
    public async Task AProjectHasLinksOnlyWhileItsMapHoldsAnId()
    {
        var store = await NewAsync();
        var map = Map(store);
        Assert.False(await map.HasLinksAsync(Project));

        await map.LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, "u1", "alias-1"));
        Assert.True(await map.HasLinksAsync(Project));
        Assert.False(await map.HasLinksAsync("another-project"));

        await map.DeleteIdentitiesAsync(Project, ["u1"]);
        Assert.False(await map.HasLinksAsync(Project));
    }

    [Fact]
    public async Task TheMapAndMergesSurviveARestart()
    {
        var store = await NewAsync();
        await store.ApplyAsync([Set("d1", ("from_device", true))]);
        await Map(store).LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1"));

        var reopened = await ReopenAsync(store);

        Assert.Equal("u1", (await Map(reopened).GetClusterAsync(Project, "d1"))!.Canonical);
        Assert.True((bool?)(await PropertiesAsync(reopened, "u1"))!["from_device"]);
        Assert.Null(await PropertiesAsync(reopened, "d1"));
    }

    [Fact]
    public async Task AnUpdateRightAfterAMergeSeesTheMergedProfile()
    {
        var store = await NewAsync();
        await store.ApplyAsync([Set("u1", ("plan", "pro"))]);
        await store.ApplyAsync([Set("d1", ("utm", "ads"))]);

        await Map(store).LinkAsync(Link(IdentityMode.Simplified, IdentityLinkKind.DeviceAndUser, "u1", "d1"));
        await store.ApplyAsync([Set("u1", ("seats", 3))]);

        var profile = await PropertiesAsync(store, "u1");
        Assert.Equal(("pro", "ads", 3), ((string?)profile!["plan"], (string?)profile["utm"], (int?)profile["seats"]));
        Assert.Null(await PropertiesAsync(store, "d1"));
    }
}
