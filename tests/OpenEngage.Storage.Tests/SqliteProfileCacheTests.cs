using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Storage.Tests;

/// <summary>The SQLite writer's cache of committed profiles: it only ever saves work, never changes an answer.</summary>
public sealed class SqliteProfileCacheTests : SqliteStoreTestBase
{
    [Fact]
    public void EvictsTheLeastRecentlyUsedProfile()
    {
        var cache = new ProfileCache(2);
        cache.Set(User("a"), new JsonObject { ["n"] = 1 });
        cache.Set(User("b"), null);
        Assert.True(cache.TryGet(User("a"), out _));

        cache.Set(User("c"), new JsonObject { ["n"] = 3 });

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(User("a"), out var a));
        Assert.Equal(1, N(a!["n"]!));
        Assert.False(cache.TryGet(User("b"), out _));
        Assert.True(cache.TryGet(User("c"), out _));
    }

    [Fact]
    public void RemembersThatAProfileDoesNotExistAndCanBeTurnedOff()
    {
        var cache = new ProfileCache(1);
        cache.Set(User("gone"), null);
        Assert.True(cache.TryGet(User("gone"), out var gone));
        Assert.Null(gone);

        var off = new ProfileCache(0);
        off.Set(User("a"), new JsonObject());
        Assert.False(off.TryGet(User("a"), out _));
        Assert.Equal(0, off.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public async Task EvictionKeepsEveryAnswerRight(int cacheSize)
    {
        var store = await OpenAsync("store", cacheSize);
        var expected = new Dictionary<string, int>();
        var random = new Random(7);
        for (var round = 0; round < 40; round++)
        {
            var batch = new List<ProfileUpdate>();
            for (var i = 0; i < 5; i++)
            {
                var id = "u" + random.Next(10);
                expected[id] = expected.GetValueOrDefault(id) + 1;
                batch.Add(AddTo(id, 1));
            }

            if (round % 7 == 3)
            {
                var id = "u" + random.Next(10);
                expected.Remove(id);
                batch.Add(Update(id) with { Operations = new() { Delete = true } });
            }

            await store.ApplyAsync(batch);
        }

        for (var i = 0; i < 10; i++)
        {
            var id = "u" + i;
            var stored = await store.GetAsync(User(id));
            if (expected.TryGetValue(id, out var count))
            {
                Assert.NotNull(stored);
                Assert.Equal(count, N(stored.Properties["n"]!));
            }
            else
            {
                Assert.Null(stored);
            }
        }
    }

    [Fact]
    public async Task AFailedCommitLeavesNothingOfItsGroupInTheCache()
    {
        var store = await OpenAsync("store", cacheSize: 100);
        await store.ApplyAsync([AddTo("a", 1)]);
        // A commit that fails for a reason SQLite does not lay at the data's door (a plain error,
        // "integer overflow", raised by a trigger on one id): every caller of the group fails.
        // A refusal of the data (RAISE, a CHECK) is isolated instead; see ProfileStoreContract.Isolation.
        using (var side = OpenSide(store))
        {
            Execute(side, """
                CREATE TRIGGER fail_poison BEFORE INSERT ON profiles WHEN NEW.id = 'poison'
                BEGIN SELECT abs(length(NEW.id) - 6 - 9223372036854775807 - 1); END;
                """);
        }

        await Assert.ThrowsAsync<SqliteException>(() => store.ApplyAsync([AddTo("a", 10), AddTo("fresh", 10), AddTo("poison", 1)]));

        var results = await store.ApplyAsync([AddTo("a", 1), AddTo("fresh", 1)]);
        Assert.All(results, result => Assert.Equal(ApplyStatus.Upserted, result.Status));
        Assert.Equal(2, N(results[0].Profile!["n"]!));
        Assert.Equal(1, N(results[1].Profile!["n"]!));
        Assert.Equal(2, N((await store.GetAsync(User("a")))!.Properties["n"]!));
    }

    [Fact]
    public async Task AChangeCommittedByAnotherConnectionIsSeen()
    {
        var store = await OpenAsync("store", cacheSize: 100);
        await store.ApplyAsync([AddTo("a", 1), AddTo("b", 1)]);
        using (var side = OpenSide(store))
        {
            Execute(side, "UPDATE profiles SET properties = json_set(properties, '$.n', 41) WHERE id = 'a';");
            Execute(side, "DELETE FROM profiles WHERE id = 'b';");
        }

        var results = await store.ApplyAsync([AddTo("a", 1), AddTo("b", 1)]);

        Assert.Equal(42, N(results[0].Profile!["n"]!));
        Assert.Equal(1, N(results[1].Profile!["n"]!));
    }

    [Fact]
    public async Task AReopenedStoreReadsFromDisk()
    {
        var first = await OpenAsync("store", cacheSize: 100);
        await first.ApplyAsync([AddTo("a", 1)]);
        await first.DisposeAsync();
        using (var side = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = first.DatabasePath, Pooling = false }.ToString()))
        {
            side.Open();
            Execute(side, "UPDATE profiles SET properties = json_set(properties, '$.n', 41) WHERE id = 'a';");
        }

        var reopened = await OpenAsync("store", cacheSize: 100);
        var result = Assert.Single(await reopened.ApplyAsync([AddTo("a", 1)]));

        Assert.Equal(42, N(result.Profile!["n"]!));
    }

    [Fact]
    public void ANegativeCacheSizeIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteProfileStore(
            new SqliteStoreOptions { Path = Path.Combine(Root, "never"), ProfileCacheSize = -1 },
            new ProfileEngine(ProfileLimits.Default),
            NullLogger<SqliteProfileStore>.Instance));
    }

    private async Task<SqliteProfileStore> OpenAsync(string name, int cacheSize)
    {
        var store = new SqliteProfileStore(
            new SqliteStoreOptions { Path = Path.Combine(Root, name), ProfileCacheSize = cacheSize },
            new ProfileEngine(ProfileLimits.Default),
            NullLogger<SqliteProfileStore>.Instance);
        Stores.Add(store);
        await store.InitializeAsync();
        return store;
    }
}
