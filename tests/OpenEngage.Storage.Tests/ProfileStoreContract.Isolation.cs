using System.Text.Json.Nodes;
using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// One update the store cannot keep never fails another request's updates: the database's own
/// refusal (a trigger or constraint the test adds to the real database) or a value the store
/// cannot serialise rejects that update alone; a failure of the store itself still fails the
/// requests it affects.
/// </summary>
public abstract partial class ProfileStoreContract
{
    /// <summary>Makes the database of the store the last <see cref="CreateStoreAsync(ProfileEngine)"/> made refuse to store the user profile <paramref name="id"/>.</summary>
    protected abstract Task RefuseIdInDatabaseAsync(string id);

    /// <summary>Runs SQL that SQLite and PostgreSQL both understand on the database of the current store.</summary>
    protected abstract Task ExecuteInDatabaseAsync(string sql);

    private const int Requests = 40;

    [Fact]
    public async Task AnUpdateTheDatabaseRefusesIsRejectedAloneAndEveryOtherRequestIsApplied()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync([Set("seen", ("v", 0))]);
        await RefuseIdInDatabaseAsync("poison");

        // Many requests at once, so they share groups with the one that holds the poison.
        var requests = Enumerable.Range(0, Requests).Select(i => i == Requests / 2
            ? (IReadOnlyList<ProfileUpdate>)[AddTo("counter", ("n", 1)), Set("poison", ("x", 1)), AddTo("counter", ("n", 10)), Set($"good-{i}", ("v", i))]
            : [AddTo("counter", ("n", 1)), Set($"good-{i}", ("v", i)), Set("seen", ("v", i))]).ToArray();
        var results = await Task.WhenAll(requests.Select(updates => store.ApplyAsync(updates)));

        for (var i = 0; i < Requests; i++)
        {
            for (var j = 0; j < requests[i].Count; j++)
            {
                var result = results[i][j];
                if (requests[i][j].Key.Id == "poison")
                {
                    Assert.Equal(ApplyStatus.Rejected, result.Status);
                    Assert.Contains("store refused", result.Error!.Message, StringComparison.Ordinal);
                }
                else
                {
                    Assert.True(result.IsApplied, $"request {i} update {j}: {result.Error}");
                }
            }

            AssertJson($$"""{"v":{{i}},"$created":"2024-05-01T12:00:00","$last_seen":"2024-05-01T12:00:00"}""", await GetPropertiesAsync(store, User($"good-{i}")));
        }

        Assert.Null(await store.GetAsync(User("poison")));
        Assert.Equal(Requests + 10, (int)(await GetPropertiesAsync(store, User("counter")))["n"]!);

        // Later writes go on as before.
        await store.ApplyAsync([AddTo("counter", ("n", 1))]);
        Assert.Equal(Requests + 11, (int)(await GetPropertiesAsync(store, User("counter")))["n"]!);
    }

    [Fact]
    public async Task AfterARefusedUpdateNoCommitSeemsToBeRunning()
    {
        var store = await CreateStoreAsync();
        await RefuseIdInDatabaseAsync("poison");

        var results = await store.ApplyAsync([Set("a", ("v", 1)), Set("poison", ("v", 1))]);

        Assert.Equal([true, false], results.Select(r => r.IsApplied));
        // The refused commit is over: readiness must not see it as a commit still running (a stalled writer).
        Assert.Equal(TimeSpan.Zero, Assert.IsAssignableFrom<IStoreReadiness>(store).WriterHealth.CommitRunningFor);
    }

    [Fact]
    public async Task UpdatesAroundARefusedOneSeeEachOtherInQueueOrder()
    {
        var store = await CreateStoreAsync();
        await RefuseIdInDatabaseAsync("poison");

        var results = await store.ApplyAsync([
            Set("a", ("v", 1)), Set("poison", ("v", 1)), AddTo("a", ("v", 2)), Set("poison", ("w", 1)), AddTo("a", ("v", 4)),
        ]);

        Assert.Equal([true, false, true, false, true], results.Select(r => r.IsApplied));
        Assert.Equal(7, (int)(await GetPropertiesAsync(store, User("a")))["v"]!);
        Assert.Null(await store.GetAsync(User("poison")));
    }

    [Fact]
    public async Task AValueTheStoreCannotSerialiseIsRejectedAlone()
    {
        var store = await CreateStoreAsync();

        // Not a record a client can send (validation refuses it), but a real failure of the store's serialisation.
        var infinite = Update("infinite") with { Operations = new() { Set = Props(("x", JsonValue.Create(double.PositiveInfinity))) } };
        var results = await Task.WhenAll(
            store.ApplyAsync([Set("before", ("v", 1))]),
            store.ApplyAsync([Set("left", ("v", 1)), infinite, Set("right", ("v", 1))]),
            store.ApplyAsync([Set("after", ("v", 1))]));

        Assert.Equal(ApplyStatus.Rejected, results[1][1].Status);
        Assert.Equal("", results[1][1].Error!.Field);
        Assert.True(results.SelectMany(r => r).Count(r => r.IsApplied) == 4);
        foreach (var id in (string[])["before", "left", "right", "after"])
        {
            Assert.Equal(1, (int)(await GetPropertiesAsync(store, User(id)))["v"]!);
        }

        Assert.Null(await store.GetAsync(User("infinite")));
    }

    [Fact]
    public async Task AFailureOfTheStoreItselfStillFailsTheRequestsAndStoresNothing()
    {
        var store = await CreateStoreAsync();
        await store.ApplyAsync([Set("a", ("v", 1))]);
        await ExecuteInDatabaseAsync("ALTER TABLE profiles RENAME TO profiles_away;");

        await Assert.ThrowsAnyAsync<Exception>(() => store.ApplyAsync([Set("a", ("v", 2)), Set("b", ("v", 1))]));

        await ExecuteInDatabaseAsync("ALTER TABLE profiles_away RENAME TO profiles;");
        Assert.Equal(1, (int)(await GetPropertiesAsync(store, User("a")))["v"]!);
        Assert.Null(await store.GetAsync(User("b")));

        await store.ApplyAsync([Set("b", ("v", 1))]);
        Assert.NotNull(await store.GetAsync(User("b")));
    }
}
