using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Identity;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

public sealed class PostgresIdentityStoreTests : IdentityStoreContract
{
    private readonly PostgresTestStores _stores = new("identity");

    protected override Task<IProfileStore> CreateStoreAsync(ProfileEngine engine) => _stores.CreateAsync(engine);

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) => _stores.ReopenAsync(engine);

    /// <summary>
    /// Two nodes (two stores on one database) link overlapping ids at the same moment, many times:
    /// every id ends in exactly one cluster, and every cluster's rows agree on its canonical id.
    /// </summary>
    [Fact]
    public async Task TwoNodesLinkingOverlappingIdsAtOnceEndWithOneConsistentCluster()
    {
        var first = await NewAsync();
        var second = await _stores.ReopenAsync(new ProfileEngine(ProfileLimits.Default));
        await using var secondNode = second;
        await first.ApplyAsync([Set("hub", ("node", "first")), Set("spoke-0", ("spoke", 0))]);

        using var start = new SemaphoreSlim(0, 2);
        async Task<List<IdentityLinkResult>> RunAsync(IProfileStore node, int offset)
        {
            await start.WaitAsync();
            var results = new List<IdentityLinkResult>();
            for (var i = 0; i < 40; i++)
            {
                // Both nodes merge the same spokes into the hub, one going up and one going down, and
                // each also chains a node-specific alias onto the spoke it just linked.
                var spoke = offset == 0 ? i : 39 - i;
                results.Add(await Map(node).LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Merge, "hub", $"spoke-{spoke}")));
                results.Add(await Map(node).LinkAsync(Link(IdentityMode.Original, IdentityLinkKind.Alias, $"spoke-{spoke}", $"alias-{offset}-{spoke}")));
            }

            return results;
        }

        var a = Task.Run(() => RunAsync(first, 0));
        var b = Task.Run(() => RunAsync(second, 1));
        start.Release(2);
        var all = (await a).Concat(await b).ToList();

        Assert.DoesNotContain(all, result => result.Status is IdentityLinkStatus.Rejected or IdentityLinkStatus.Ignored);
        var cluster = await Map(first).GetClusterAsync(Project, "alias-1-17");
        Assert.NotNull(cluster);
        Assert.Equal("hub", cluster.Canonical);
        Assert.Equal(1 + 40 + 80, cluster.Members.Count);
        Assert.Equal(cluster.Members.Count, cluster.Members.Select(member => member.Id).Distinct().Count());
        var resolved = await Map(second).FindCanonicalIdsAsync(Project, [.. Enumerable.Range(0, 40).Select(i => $"spoke-{i}")]);
        Assert.Equal(40, resolved.Count);
        Assert.All(resolved.Values, canonical => Assert.Equal("hub", canonical));
        var hub = await PropertiesAsync(second, "hub");
        Assert.Equal(("first", 0), ((string?)hub!["node"], (int?)hub["spoke"]));
        Assert.Null(await PropertiesAsync(second, "spoke-0"));
    }
}
