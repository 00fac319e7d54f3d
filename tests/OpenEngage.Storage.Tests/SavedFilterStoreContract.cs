using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// What every backend's <see cref="ISavedFilterStore"/> must do: saved filters are kept per
/// project, survive a restart, get distinct ids, and are deleted only in their own project.
/// </summary>
public abstract class SavedFilterStoreContract : IAsyncLifetime
{
    private readonly List<IProfileStore> _stores = [];

    /// <summary>A fresh, empty, initialized store.</summary>
    protected abstract Task<IProfileStore> CreateStoreAsync(ProfileEngine engine);

    /// <summary>The store the last <see cref="CreateStoreAsync"/> made (now disposed), opened again.</summary>
    protected abstract Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    private async Task<ISavedFilterStore> NewAsync()
    {
        var store = await CreateStoreAsync(new ProfileEngine(ProfileLimits.Default));
        _stores.Add(store);
        return Assert.IsAssignableFrom<ISavedFilterStore>(store);
    }

    [Fact]
    public async Task ASavedFilterIsListedAndFoundByIdWithWhatWasSaved()
    {
        var store = await NewAsync();
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
        var store = await NewAsync();
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
        var store = await NewAsync();
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
        var store = await NewAsync();
        var saved = await store.CreateSavedFilterAsync("p1", "", "Ünïcode \"name\"", "\"x\" in properties[\"tags\"]");
        await ((IProfileStore)store).DisposeAsync();
        _stores.Remove((IProfileStore)store);

        var reopened = await ReopenStoreAsync(new ProfileEngine(ProfileLimits.Default));
        _stores.Add(reopened);

        var found = await ((ISavedFilterStore)reopened).GetSavedFilterAsync("p1", saved.Id);
        Assert.NotNull(found);
        Assert.Equal(("Ünïcode \"name\"", "\"x\" in properties[\"tags\"]"), (found.Name, found.Where));
    }
}
