using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Sqlite;
using static OpenEngage.Storage.Tests.SqlitePipelineHooks;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The SQLite store's pipelined group commit: a group is prepared while the one before it commits,
/// and is never acknowledged on a state that was not stored.
/// </summary>
/// <remarks>
/// Every test holds the commit stage before the first group's transaction begins, queues a follower
/// and waits until the first stage has taken it: from then on the follower is prepared on top of
/// the held group's uncommitted state, since only the first stage itself forgets that state, after
/// it has seen the held commit's outcome.
/// </remarks>
public sealed class SqlitePipelineTests : SqliteStoreTestBase
{
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task AGroupPreparedWhileTheOneBeforeCommitsBuildsOnItsState(int cacheSize)
    {
        var store = await OpenAsync(cacheSize);
        var hold = StageHold.AtCommit(store);

        var first = store.ApplyAsync([AddTo("n", 1)]);
        await hold.Taken;
        var followerTaken = NextGroupTaken(store);
        var follower = store.ApplyAsync([AddTo("n", 1)]);
        await followerTaken;

        // Prepared, but not acknowledged before the group it builds on is committed.
        Assert.False(first.IsCompleted);
        Assert.False(follower.IsCompleted);
        hold.Release();

        Assert.Equal(1, N(Assert.Single(await first).Profile!["n"]!));
        Assert.Equal(2, N(Assert.Single(await follower).Profile!["n"]!));
        Assert.Equal(2, N((await store.GetAsync(User("n")))!.Properties["n"]!));
    }

    [Fact]
    public async Task AGroupPreparedOnTopOfAFailedCommitIsPreparedAgainFromCommittedState()
    {
        var store = await OpenAsync(cacheSize: 100);
        await store.ApplyAsync([AddTo("n", 1)]);
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

        var hold = StageHold.AtCommit(store);
        var failing = store.ApplyAsync([AddTo("n", 10), AddTo("fresh", 10), AddTo("poison", 1)]);
        await hold.Taken;
        var followerTaken = NextGroupTaken(store);
        var follower = store.ApplyAsync([AddTo("n", 1), AddTo("fresh", 1)]);
        await followerTaken;
        hold.Release();

        await Assert.ThrowsAsync<SqliteException>(() => failing);

        // Prepared first on n = 11 and fresh = 10, which were never stored; acknowledged only on
        // what is stored.
        var results = await follower;
        Assert.All(results, result => Assert.Equal(ApplyStatus.Upserted, result.Status));
        Assert.Equal(2, N(results[0].Profile!["n"]!));
        Assert.Equal(1, N(results[1].Profile!["n"]!));
        Assert.Equal(2, N((await store.GetAsync(User("n")))!.Properties["n"]!));
        Assert.Equal(1, N((await store.GetAsync(User("fresh")))!.Properties["n"]!));
        Assert.Null(await store.GetAsync(User("poison")));
    }

    [Fact]
    public async Task AGroupPreparedOnTopOfARefusedGroupIsPreparedAgainOnWhatIsolatingItStored()
    {
        var store = await OpenAsync(cacheSize: 100);
        await store.ApplyAsync([AddTo("a", 1)]);
        using (var side = OpenSide(store))
        {
            Execute(side, """
                CREATE TRIGGER refuse_big BEFORE UPDATE ON profiles WHEN json_extract(NEW.properties, '$.n') > 100
                BEGIN SELECT RAISE(ABORT, 'n over 100 refused'); END;
                """);
        }

        var hold = StageHold.AtCommit(store);
        var refused = store.ApplyAsync([AddTo("b", 1), AddTo("a", 1000)]);
        await hold.Taken;
        var followerTaken = NextGroupTaken(store);
        var follower = store.ApplyAsync([AddTo("a", 1)]);
        await followerTaken;
        hold.Release();

        var results = await refused;
        Assert.Equal(ApplyStatus.Upserted, results[0].Status);
        Assert.Equal(ApplyStatus.Rejected, results[1].Status);
        Assert.Contains("n over 100 refused", results[1].Error!.Message, StringComparison.Ordinal);

        // Prepared first on a = 1001, which was refused (and on which it would be refused too);
        // acknowledged only on what is stored: a = 1.
        Assert.Equal(2, N(Assert.Single(await follower).Profile!["n"]!));
        Assert.Equal(2, N((await store.GetAsync(User("a")))!.Properties["n"]!));
        Assert.Equal(1, N((await store.GetAsync(User("b")))!.Properties["n"]!));
    }

    [Fact]
    public async Task AChangeCommittedElsewhereBeforeAPreparedGroupCommitsIsSeen()
    {
        var store = await OpenAsync(cacheSize: 100);
        await store.ApplyAsync([AddTo("a", 1)]);

        var hold = StageHold.AtCommit(store);
        var first = store.ApplyAsync([AddTo("a", 1)]);
        await hold.Taken;
        var followerTaken = NextGroupTaken(store);
        var follower = store.ApplyAsync([AddTo("a", 1)]);
        await followerTaken;

        // The held transaction has not begun: another connection can commit meanwhile.
        using (var side = OpenSide(store))
        {
            Execute(side, "UPDATE profiles SET properties = json_set(properties, '$.n', 41) WHERE id = 'a';");
        }

        hold.Release();

        Assert.Equal(42, N(Assert.Single(await first).Profile!["n"]!));
        Assert.Equal(43, N(Assert.Single(await follower).Profile!["n"]!));
        Assert.Equal(43, N((await store.GetAsync(User("a")))!.Properties["n"]!));
    }

    [Fact]
    public async Task SmallRequestsWaitForTheCommitAndShareTheNextOne()
    {
        var store = await OpenAsync(cacheSize: 100, pipelineAfterUpdates: 3);
        var hold = StageHold.AtCommit(store);

        var first = store.ApplyAsync([AddTo("n", 1)]);
        await hold.Taken;
        var groups = 0;
        store.OnGroupTaken = () => Interlocked.Increment(ref groups);

        // Two queued updates are below the threshold of three: no group is taken while the commit is
        // held, and both then share one commit.
        var second = store.ApplyAsync([AddTo("n", 1)]);
        var third = store.ApplyAsync([AddTo("m", 1)]);
        hold.Release();

        await Task.WhenAll(first, second, third);
        Assert.Equal(1, Volatile.Read(ref groups));
        Assert.Equal(2, N((await store.GetAsync(User("n")))!.Properties["n"]!));
    }

    private async Task<SqliteProfileStore> OpenAsync(int cacheSize, int pipelineAfterUpdates = 1)
    {
        var store = new SqliteProfileStore(
            new SqliteStoreOptions { Path = Path.Combine(Root, $"store-{Stores.Count}"), ProfileCacheSize = cacheSize },
            new ProfileEngine(ProfileLimits.Default),
            NullLogger<SqliteProfileStore>.Instance)
        {
            PipelineAfterUpdates = pipelineAfterUpdates,
        };
        Stores.Add(store);
        await store.InitializeAsync();
        return store;
    }
}
