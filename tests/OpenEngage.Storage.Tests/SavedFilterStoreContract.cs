using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// What every backend's <see cref="ISavedFilterStore"/> must do: saved filters are kept per
/// project, survive a restart, get distinct ids, and are deleted only in their own project.
/// </summary>
public abstract class SavedFilterStoreContract : StoreContract
{
    private async Task<ISavedFilterStore> NewFilterStoreAsync() => Assert.IsAssignableFrom<ISavedFilterStore>(await NewAsync());

    [Fact]
    public async Task ASavedFilterIsListedAndFoundByIdWithWhatWasSaved()
    {
        var store = await NewFilterStoreAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var saved = await store.CreateSavedFilterAsync("p1", "", "Pro users", "properties[\"plan\"] == \"pro\"");

        Assert.True(saved.Id > 0);
        Assert.Equal(("p1", "", "Pro users", "properties[\"plan\"] == \"pro\""), (saved.Project, saved.GroupKey, saved.Name, saved.Where));
        Assert.InRange(saved.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        var found = await store.GetSavedFilterAsync("p1", saved.Id);
        Assert.NotNull(found);
        Assert.Equal((saved.Id, saved.Name, saved.Where, saved.GroupKey), (found.Id, found.Name, found.Where, found.GroupKey));
        Assert.Equal(saved.Id, Assert.Single(await store.ListSavedFiltersAsync("p1")).Id);
    }

    [Fact]
    public async Task FiltersAreScopedToTheirProjectAndKeepTheirGroupKey()
    {
        var store = await NewFilterStoreAsync();
        var first = await store.CreateSavedFilterAsync("p1", "", "a", "true");
        var second = await store.CreateSavedFilterAsync("p1", "company", "b", "defined(properties[\"size\"])");
        var other = await store.CreateSavedFilterAsync("p2", "", "c", "false");

        Assert.Equal(3, new[] { first.Id, second.Id, other.Id }.Distinct().Count());
        Assert.Equal([first.Id, second.Id], (await store.ListSavedFiltersAsync("p1")).Select(filter => filter.Id));
        Assert.Equal("company", (await store.GetSavedFilterAsync("p1", second.Id))!.GroupKey);
        Assert.Null(await store.GetSavedFilterAsync("p1", other.Id));
        Assert.Null(await store.GetSavedFilterAsync("p2", first.Id));
        Assert.Empty(await store.ListSavedFiltersAsync("p3"));
    }

    [Fact]
    public async Task DeleteRemovesOnlyTheNamedFilterOfItsOwnProject()
    {
        var store = await NewFilterStoreAsync();
        var keep = await store.CreateSavedFilterAsync("p1", "", "keep", "true");
        var drop = await store.CreateSavedFilterAsync("p1", "", "drop", "false");

        Assert.False(await store.DeleteSavedFilterAsync("p2", drop.Id));
        Assert.True(await store.DeleteSavedFilterAsync("p1", drop.Id));
        Assert.False(await store.DeleteSavedFilterAsync("p1", drop.Id));

        Assert.Equal([keep.Id], (await store.ListSavedFiltersAsync("p1")).Select(filter => filter.Id));
        var next = await store.CreateSavedFilterAsync("p1", "", "next", "true");
        Assert.True(next.Id > drop.Id, "ids are never reused");
    }

    [Fact]
    public async Task SavedFiltersSurviveARestart()
    {
        var store = await NewFilterStoreAsync();
        var saved = await store.CreateSavedFilterAsync("p1", "", "Ünïcode \"name\"", "\"x\" in properties[\"tags\"]");
        var reopened = await ReopenAsync((IProfileStore)store);

        var found = await ((ISavedFilterStore)reopened).GetSavedFilterAsync("p1", saved.Id);
        Assert.NotNull(found);
        Assert.Equal(("Ünïcode \"name\"", "\"x\" in properties[\"tags\"]"), (found.Name, found.Where));
    }
}
