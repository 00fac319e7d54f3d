using System.Text.Json.Nodes;

namespace OpenEngage.Storage.Tests;

public abstract partial class ProfileStoreContract
{
    [Fact]
    public async Task Project_ids_lists_every_project_holding_profiles_once_and_forgets_emptied_ones()
    {
        var store = await CreateStoreAsync();
        var inventory = Assert.IsAssignableFrom<IProjectInventory>(store);
        Assert.Empty(await inventory.ProjectIdsAsync());

        var set = Props(("plan", JsonValue.Create("pro")));
        await store.ApplyAsync([
            Update("a", "web") with { Operations = new() { Set = set } },
            Update("b", "web") with { Operations = new() { Set = set } },
            Update("c", "default") with { Operations = new() { Set = set } },
            Update("acme", "groups-only", groupKey: "company") with { Operations = new() { Set = set } },
            Update("x", "gone") with { Operations = new() { Set = set } },
        ]);
        Assert.Equal(["default", "gone", "groups-only", "web"], await inventory.ProjectIdsAsync());

        await store.ApplyAsync([Update("x", "gone") with { Operations = new() { Delete = true } }]);
        Assert.Equal(["default", "groups-only", "web"], await inventory.ProjectIdsAsync());
    }
}
