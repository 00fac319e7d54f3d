using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IProfileStore"/> backend must show. A backend's test class derives
/// from this and supplies fresh stores; every test here runs against it.
/// </summary>
public abstract partial class ProfileStoreContract : IAsyncLifetime
{
    protected const string Project = "project-1";
    protected static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<IProfileStore> _stores = [];

    /// <summary>Creates a fresh, empty, initialized store that applies updates with <paramref name="engine"/>.</summary>
    protected abstract Task<IProfileStore> CreateStoreAsync(ProfileEngine engine);

    /// <summary>
    /// Creates and initializes a new store over the same data as the store the last
    /// <see cref="CreateStoreAsync(ProfileEngine)"/> call made (which the test has disposed), as a
    /// restarted server would.
    /// </summary>
    protected abstract Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine);

    /// <summary>Creates a fresh store with the default limits; it is disposed after the test.</summary>
    protected Task<IProfileStore> CreateStoreAsync() => NewStoreAsync(ProfileLimits.Default);

    protected async Task<IProfileStore> NewStoreAsync(ProfileLimits limits) =>
        Track(await CreateStoreAsync(new ProfileEngine(limits)));

    /// <summary>Disposes <paramref name="store"/> and opens the same data again.</summary>
    protected async Task<IProfileStore> ReopenAsync(IProfileStore store)
    {
        await store.DisposeAsync();
        return Track(await ReopenStoreAsync(new ProfileEngine(ProfileLimits.Default)));
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _stores.Clear();
    }

    private IProfileStore Track(IProfileStore store)
    {
        _stores.Add(store);
        return store;
    }

    // ---- Building updates ----

    protected static ProfileUpdate Update(string id, string project = Project, string groupKey = "") => new()
    {
        Key = new ProfileKey(project, groupKey, id),
        Time = T0,
        Operations = new(),
    };

    protected static ProfileUpdate Set(string id, params (string Name, JsonNode? Value)[] properties) =>
        Update(id) with { Operations = new() { Set = Props(properties) } };

    protected static ProfileUpdate AddTo(string id, params (string Name, decimal Delta)[] deltas) =>
        Update(id) with { Operations = new() { Add = [.. deltas.Select(d => new KeyValuePair<string, decimal>(d.Name, d.Delta))] } };

    protected static ProfileUpdate Delete(string id) => Update(id) with { Operations = new() { Delete = true } };

    protected static IReadOnlyList<KeyValuePair<string, JsonNode?>> Props(params (string Name, JsonNode? Value)[] properties) =>
        [.. properties.Select(p => new KeyValuePair<string, JsonNode?>(p.Name, p.Value))];

    protected static ProfileKey User(string id) => ProfileKey.User(Project, id);

    protected static void AssertJson(string expected, JsonNode? actual)
    {
        var want = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(want, actual), $"Expected {want?.ToJsonString()}\nbut got  {actual?.ToJsonString()}");
    }

    /// <summary>The value an update's result says it left in a property it changed.</summary>
    protected static JsonNode? Changed(ApplyResult result, string name) =>
        Assert.Single(result.Diff!.Properties, change => change.Name == name).New;

    protected static async Task<JsonObject> GetPropertiesAsync(IProfileStore store, ProfileKey key)
    {
        var stored = await store.GetAsync(key);
        Assert.NotNull(stored);
        Assert.Equal(key, stored.Key);
        return stored.Properties;
    }

    // ---- The contract ----

    [Fact]
    public async Task ApplyThenGetReturnsTheStoredProfile()
    {
        var store = await CreateStoreAsync();

        var results = await store.ApplyAsync([Set("alice", ("name", "Alice"), ("plan", "pro"))]);

        var result = Assert.Single(results);
        Assert.Equal(ApplyStatus.Upserted, result.Status);
        var properties = await GetPropertiesAsync(store, User("alice"));
        AssertJson("""{"name":"Alice","plan":"pro","$created":"2024-05-01T12:00:00","$last_seen":"2024-05-01T12:00:00"}""", properties);
        Assert.True(JsonNode.DeepEquals(result.Profile, properties));
    }

    [Fact]
    public async Task GetOfAMissingProfileReturnsNull()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync([Set("alice", ("name", "Alice"))]);

        Assert.Null(await store.GetAsync(User("bob")));
        Assert.Null(await store.GetAsync(new ProfileKey(Project, "company", "alice")));
        Assert.Null(await store.GetAsync(ProfileKey.User("other-project", "alice")));
    }

    [Fact]
    public async Task EmptyBatchReturnsNoResults()
    {
        var store = await CreateStoreAsync();

        Assert.Empty(await store.ApplyAsync([]));
    }

    [Fact]
    public async Task EveryOperationKindRoundTripsThroughStorage()
    {
        var store = await CreateStoreAsync();
        var key = User("zoë");

        async Task ApplyOne(ProfileUpdate update, ApplyStatus expected = ApplyStatus.Upserted)
        {
            var result = Assert.Single(await store.ApplyAsync([update]));
            Assert.Equal(expected, result.Status);
        }

        await ApplyOne(Update("zoë") with
        {
            Operations = new()
            {
                Set = Props(
                    ("name", "Zoë 東京 🎉 \"quoted\" \\ back\nslash"),
                    ("名前", "ユーザー"),
                    ("nested", JsonNode.Parse("""{"a":{"b":[1,"x",null,true,{"c":-2.5}]}}""")),
                    ("big", 9_223_372_036_854_775_806L),
                    ("smallest", long.MinValue),
                    ("huge", JsonNode.Parse("123456789012345678901234567890")),
                    ("fraction", 0.1m),
                    ("flag", false),
                    ("nothing", null))
            },
        });
        var later = T0.AddHours(1);
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { SetOnce = Props(("name", "ignored"), ("first_source", "ad")) } });
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { Add = [new("big", 1m), new("fraction", 0.2m), new("visits", 3m)] } });
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { Union = [new("tags", new JsonArray("a", "b"))] } });
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { Union = [new("tags", new JsonArray("b", "c"))] } });
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { Append = [new("events", JsonNode.Parse("""{"k":"v"}"""))] } });
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { Append = [new("events", new JsonArray(1, 2))] } });
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { Remove = [new("tags", "b")] } });
        await ApplyOne(Update("zoë") with { Time = later, Operations = new() { Unset = ["flag", "not-there"] } });

        var properties = await GetPropertiesAsync(store, key);
        AssertJson("""
            {
              "name": "Zoë 東京 🎉 \"quoted\" \\ back\nslash",
              "名前": "ユーザー",
              "nested": {"a": {"b": [1, "x", null, true, {"c": -2.5}]}},
              "big": 9223372036854775807,
              "smallest": -9223372036854775808,
              "huge": 123456789012345678901234567890,
              "fraction": 0.3,
              "nothing": null,
              "first_source": "ad",
              "visits": 3,
              "tags": ["a", "c"],
              "events": [{"k": "v"}, [1, 2]],
              "$created": "2024-05-01T12:00:00",
              "$last_seen": "2024-05-01T13:00:00"
            }
            """, properties);
        Assert.Equal("Zoë 東京 🎉 \"quoted\" \\ back\nslash", (string?)properties["name"]);
        Assert.Equal("9223372036854775807", properties["big"]!.ToJsonString());
        Assert.Equal("-9223372036854775808", properties["smallest"]!.ToJsonString());
        Assert.Equal("123456789012345678901234567890", properties["huge"]!.ToJsonString());
        Assert.Equal("0.3", properties["fraction"]!.ToJsonString());
        Assert.True(properties.ContainsKey("nothing"));

        // Updates apply in $time order (contract §10): a $delete at T0 would land before the later updates.
        await ApplyOne(Delete("zoë") with { Time = later }, ApplyStatus.Deleted);
        Assert.Null(await store.GetAsync(key));
    }

    [Fact]
    public async Task ResultsComeBackInOrderOnePerUpdate()
    {
        var store = await CreateStoreAsync();

        var results = await store.ApplyAsync(
        [
            Set("a", ("name", "A"), ("label", "text")),
            Update("ghost") with { Operations = new() { Unset = ["x"] } },
            Delete("ghost"),
            Update("a") with { IgnoreTime = true, Operations = new() { Set = Props(("name", "A")) } },
            Update("a") with { Operations = new() { Add = [new("label", 1m), new("n", 1m)] } },
            Set("b", ("name", "B")),
            Delete("a"),
        ]);

        Assert.Equal(
            [ApplyStatus.Upserted, ApplyStatus.Unchanged, ApplyStatus.Unchanged, ApplyStatus.Unchanged, ApplyStatus.Upserted, ApplyStatus.Upserted, ApplyStatus.Deleted],
            results.Select(r => r.Status));
        Assert.Equal("A", (string?)results[0].Profile!["name"]);
        AssertJson("1", results[4].Profile!["n"]);
        Assert.Equal("B", (string?)results[5].Profile!["name"]);
        Assert.All(results, r => Assert.Null(r.Error));

        // Warnings belong to the update that caused them: $add onto a string.
        Assert.Contains(results[4].Warnings, w => w.Field == "$add.label");
        Assert.All(results.Where((_, i) => i != 4), r => Assert.Empty(r.Warnings));

        Assert.Null(await store.GetAsync(User("a")));
        Assert.Null(await store.GetAsync(User("ghost")));
        Assert.NotNull(await store.GetAsync(User("b")));
    }

    [Fact]
    public async Task RejectedUpdateChangesNothingWhileTheRestOfTheBatchApplies()
    {
        // $created and $last_seen count too: a new profile with one property has three.
        var store = await NewStoreAsync(ProfileLimits.Default with { MaxPropertiesPerProfile = 4 });

        var results = await store.ApplyAsync(
        [
            Set("a", ("x", 1)),
            Set("b", ("p1", 1), ("p2", 2), ("p3", 3)),
            Set("a", ("y", 2)),
            Set("a", ("z", 3)),
            Set("c", ("x", 1)),
        ]);

        Assert.Equal(
            [ApplyStatus.Upserted, ApplyStatus.Rejected, ApplyStatus.Upserted, ApplyStatus.Rejected, ApplyStatus.Upserted],
            results.Select(r => r.Status));
        Assert.NotNull(results[1].Error);
        Assert.NotNull(results[3].Error);
        Assert.Null(results[1].Profile);
        Assert.Null(await store.GetAsync(User("b")));
        AssertJson("""{"x":1,"y":2,"$created":"2024-05-01T12:00:00","$last_seen":"2024-05-01T12:00:00"}""", await GetPropertiesAsync(store, User("a")));
        Assert.NotNull(await store.GetAsync(User("c")));

        // Rejected on its own against the stored profile, too.
        var again = Assert.Single(await store.ApplyAsync([Set("a", ("w", 4))]));
        Assert.Equal(ApplyStatus.Rejected, again.Status);
        AssertJson("""{"x":1,"y":2,"$created":"2024-05-01T12:00:00","$last_seen":"2024-05-01T12:00:00"}""", await GetPropertiesAsync(store, User("a")));
    }

    [Fact]
    public async Task SeveralUpdatesToOneProfileInOneBatchApplyInOrder()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync([Set("b", ("old", true))]);

        var results = await store.ApplyAsync(
        [
            Update("a") with { Operations = new() { Append = [new("list", 1)] } },
            Update("a") with { Operations = new() { Append = [new("list", 2)] } },
            AddTo("a", ("n", 5m)),
            AddTo("a", ("n", -2m)),
            Set("a", ("s", "first")),
            Set("a", ("s", "second")),
            Update("a") with { Operations = new() { SetOnce = Props(("once", "x")) } },
            Update("a") with { Operations = new() { SetOnce = Props(("once", "y")) } },
            Update("a") with { Operations = new() { Append = [new("list", 3)] } },
            Set("b", ("k", 1)),
            Delete("b"),
            Update("b") with { Time = T0.AddDays(1), Operations = new() { Set = Props(("k", 2)) } },
        ]);

        Assert.All(results.Take(6), r => Assert.Equal(ApplyStatus.Upserted, r.Status));
        Assert.Equal(ApplyStatus.Unchanged, results[7].Status);
        Assert.Equal(ApplyStatus.Deleted, results[10].Status);
        Assert.Equal(ApplyStatus.Upserted, results[11].Status);

        // Each result's diff shows what that update left (its profile is the one after the group).
        AssertJson("[1,2]", Changed(results[1], "list"));
        AssertJson("5", Changed(results[2], "n"));
        AssertJson("3", Changed(results[3], "n"));
        AssertJson("\"first\"", Changed(results[4], "s"));

        AssertJson("""
            {"list":[1,2,3],"n":3,"s":"second","once":"x","$created":"2024-05-01T12:00:00","$last_seen":"2024-05-01T12:00:00"}
            """, await GetPropertiesAsync(store, User("a")));
        AssertJson("""{"k":2,"$created":"2024-05-02T12:00:00","$last_seen":"2024-05-02T12:00:00"}""", await GetPropertiesAsync(store, User("b")));
    }

    [Fact]
    public async Task ConcurrentCallersLoseNoUpdate()
    {
        var store = await CreateStoreAsync();
        const int Callers = 32, CallsEach = 200, Keys = 8;

        var callers = Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < CallsEach; i++)
            {
                var id = $"counter-{(caller + i) % Keys}";
                var result = Assert.Single(await store.ApplyAsync([AddTo(id, ("count", 1m), ($"caller-{caller}", 1m))]));
                Assert.Equal(ApplyStatus.Upserted, result.Status);
            }
        }));
        await Task.WhenAll(callers);

        long total = 0;
        for (var k = 0; k < Keys; k++)
        {
            var properties = await GetPropertiesAsync(store, User($"counter-{k}"));
            var count = (long)properties["count"]!;
            Assert.Equal(Callers * CallsEach / Keys, count);
            var perCaller = Enumerable.Range(0, Callers).Sum(c => (long?)properties[$"caller-{c}"] ?? 0);
            Assert.Equal(count, perCaller);
            total += count;
        }

        Assert.Equal(Callers * CallsEach, total);
    }

    [Fact]
    public async Task ReadsDuringWritesSeeOnlyWholeCommittedStates()
    {
        var store = await CreateStoreAsync();
        const int Batches = 100;

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Batches; i++)
            {
                // Both profiles move together in one batch.
                await store.ApplyAsync([AddTo("left", ("n", 1m)), AddTo("right", ("n", 1m))]);
            }
        });

        long last = 0;
        while (!writer.IsCompleted)
        {
            var page = await store.ListAsync(new ProfileListRequest(Project, "", 0, 10));
            var values = page.Profiles.Select(p => (long)p.Properties["n"]!).ToList();
            if (values.Count == 2)
            {
                Assert.Equal(values[0], values[1]);
                Assert.True(values[0] >= last);
                last = values[0];
            }
        }

        await writer;
        Assert.Equal(Batches, (long)(await GetPropertiesAsync(store, User("left")))["n"]!);
    }

    [Fact]
    public async Task DeleteThenGetReturnsNull()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync([Set("a", ("x", 1)), Set("b", ("x", 2))]);

        var result = Assert.Single(await store.ApplyAsync([Delete("a")]));

        Assert.Equal(ApplyStatus.Deleted, result.Status);
        Assert.Null(await store.GetAsync(User("a")));
        Assert.NotNull(await store.GetAsync(User("b")));
        Assert.Equal(ApplyStatus.Unchanged, Assert.Single(await store.ApplyAsync([Delete("a")])).Status);
    }

    [Fact]
    public async Task ProjectsAndGroupKeysIsolateProfiles()
    {
        var store = await CreateStoreAsync();
        ProfileUpdate Labelled(string project, string groupKey, string label) =>
            Update("same-id", project, groupKey) with { Operations = new() { Set = Props(("which", label)), Add = [new("hits", 1m)] } };

        await store.ApplyAsync(
        [
            Labelled("p1", "", "p1 user"),
            Labelled("p2", "", "p2 user"),
            Labelled("p1", "company", "p1 company"),
            Labelled("p1", "team", "p1 team"),
            Labelled("p1", "company", "p1 company"),
        ]);

        Assert.Equal("p1 user", (string?)(await GetPropertiesAsync(store, ProfileKey.User("p1", "same-id")))["which"]);
        Assert.Equal("p2 user", (string?)(await GetPropertiesAsync(store, ProfileKey.User("p2", "same-id")))["which"]);
        var company = await GetPropertiesAsync(store, new ProfileKey("p1", "company", "same-id"));
        Assert.Equal("p1 company", (string?)company["which"]);
        Assert.Equal(2, (int)company["hits"]!);
        Assert.Equal(1, (int)(await GetPropertiesAsync(store, new ProfileKey("p1", "team", "same-id")))["hits"]!);
        Assert.Null(await store.GetAsync(new ProfileKey("p2", "company", "same-id")));

        await store.ApplyAsync([Update("same-id", "p1") with { Operations = new() { Delete = true } }]);

        Assert.Null(await store.GetAsync(ProfileKey.User("p1", "same-id")));
        Assert.NotNull(await store.GetAsync(ProfileKey.User("p2", "same-id")));
        Assert.NotNull(await store.GetAsync(new ProfileKey("p1", "company", "same-id")));
        Assert.Equal(0, (await store.ListAsync(new ProfileListRequest("p1", "", 0, 10))).Total);
        Assert.Equal(1, (await store.ListAsync(new ProfileListRequest("p1", "company", 0, 10))).Total);
        Assert.Equal(1, (await store.ListAsync(new ProfileListRequest("p1", "team", 0, 10))).Total);
        Assert.Equal(1, (await store.ListAsync(new ProfileListRequest("p2", "", 0, 10))).Total);
    }

    [Fact]
    public async Task ListPagesByIdAndCountsEveryMatch()
    {
        var store = await CreateStoreAsync();
        var ids = Enumerable.Range(0, 25).Select(i => $"u{i:D2}").ToArray();
        var shuffled = Enumerable.Range(0, 25).Select(i => ids[i * 7 % 25]);
        await store.ApplyAsync([.. shuffled.Select(id => Set(id, ("id", id)))]);
        await store.ApplyAsync(
        [
            Update("u00", "other-project") with { Operations = new() { Set = Props(("x", 1)) } },
            Update("acme", Project, "company") with { Operations = new() { Set = Props(("x", 1)) } },
            Update("u99", Project, "company") with { Operations = new() { Set = Props(("x", 1)) } },
        ]);

        async Task<(List<string> Ids, long Total)> Page(int offset, int limit)
        {
            var page = await store.ListAsync(new ProfileListRequest(Project, "", offset, limit));
            foreach (var profile in page.Profiles)
            {
                Assert.Equal(Project, profile.Key.Project);
                Assert.Equal("", profile.Key.GroupKey);
                Assert.Equal(profile.Key.Id, (string?)profile.Properties["id"]);
            }

            return ([.. page.Profiles.Select(p => p.Key.Id)], page.Total);
        }

        var first = await Page(0, 10);
        Assert.Equal(ids[..10], first.Ids);
        Assert.Equal(25, first.Total);
        Assert.Equal(ids[10..20], (await Page(10, 10)).Ids);
        var last = await Page(20, 10);
        Assert.Equal(ids[20..], last.Ids);
        Assert.Equal(25, last.Total);
        var beyond = await Page(25, 10);
        Assert.Empty(beyond.Ids);
        Assert.Equal(25, beyond.Total);
        var none = await Page(0, 0);
        Assert.Empty(none.Ids);
        Assert.Equal(25, none.Total);

        var groups = await store.ListAsync(new ProfileListRequest(Project, "company", 0, 10));
        Assert.Equal(["acme", "u99"], groups.Profiles.Select(p => p.Key.Id));
        Assert.Equal(2, groups.Total);
        Assert.Equal(0, (await store.ListAsync(new ProfileListRequest("no-such-project", "", 0, 10))).Total);
    }

    [Fact]
    public async Task DataSurvivesDisposeAndReopen()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync(
        [
            Set("a", ("name", "Ådne ✓"), ("nested", JsonNode.Parse("""{"k":[1,{"z":0.5}]}"""))),
            AddTo("a", ("total", 0.1m)),
            Update("acme", Project, "company") with { Operations = new() { Set = Props(("plan", "gold")) } },
            Set("gone", ("x", 1)),
            Delete("gone"),
        ]);
        var before = await GetPropertiesAsync(store, User("a"));

        var reopened = await ReopenAsync(store);

        Assert.True(JsonNode.DeepEquals(before, await GetPropertiesAsync(reopened, User("a"))));
        Assert.Equal("gold", (string?)(await GetPropertiesAsync(reopened, new ProfileKey(Project, "company", "acme")))["plan"]);
        Assert.Null(await reopened.GetAsync(User("gone")));

        // And it keeps working on the stored state.
        await reopened.ApplyAsync([AddTo("a", ("total", 0.2m))]);
        Assert.Equal("0.3", (await GetPropertiesAsync(reopened, User("a")))["total"]!.ToJsonString());
    }

    [Fact]
    public async Task ReopeningRunsMigrationsIdempotently()
    {
        var store = await CreateStoreAsync();
        store = await ReopenAsync(store);
        await store.ApplyAsync([AddTo("a", ("opens", 1m))]);

        for (var i = 0; i < 3; i++)
        {
            store = await ReopenAsync(store);
            await store.ApplyAsync([AddTo("a", ("opens", 1m))]);
        }

        Assert.Equal(4, (int)(await GetPropertiesAsync(store, User("a")))["opens"]!);
        Assert.Equal(1, (await store.ListAsync(new ProfileListRequest(Project, "", 0, 10))).Total);
    }

    [Fact]
    public async Task AnUpdateWithADefaultKeyIsRefusedAndNothingOfItsBatchApplies()
    {
        var store = await CreateStoreAsync();
        var noProject = Set("b", ("x", 1)) with { Key = default };

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.ApplyAsync([Set("a", ("x", 1)), noProject]));

        Assert.Null(await store.GetAsync(User("a")));
    }

    [Fact]
    public async Task ASessionSnapshotHoldsTheWindowTheTotalAndEveryIdInOrder()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync([.. Enumerable.Range(0, 30).Select(i => Set($"u{i:D2}", ("n", i % 7)))]);
        var query = new ProfileQuery(Project, "") { Where = OpenEngage.Query.WhereExpression.Parse("properties[\"n\"] > 1"), SortKey = "n", Descending = true };
        var every = await store.QueryIdsAsync(query);

        var snapshot = await store.SnapshotIdsAsync(query with { Offset = 4, Limit = 5 });

        Assert.Equal(every.Count, snapshot.Total);
        Assert.Equal(every.Skip(4).Take(5), snapshot.Window);
        Assert.Equal(every, await snapshot.ReadAllAsync());

        // A write after the snapshot was taken is not in it.
        var later = await store.SnapshotIdsAsync(query with { Limit = 3 });
        await store.ApplyAsync([Set("u99", ("n", 6))]);
        Assert.Equal(every, await later.ReadAllAsync());
        Assert.Contains("u99", await store.QueryIdsAsync(query));
    }

    [Fact]
    public async Task ApplyAfterDisposeThrows()
    {
        var store = await CreateStoreAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ApplyAsync([Set("a", ("x", 1))]));
        await store.DisposeAsync();
    }
}
