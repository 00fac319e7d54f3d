using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

/// <summary>
/// The frame of a contract suite that every backend passes: a backend opens fresh stores
/// (<see cref="CreateStoreAsync"/>) and the last one again (<see cref="ReopenStoreAsync"/>); every
/// store a test opened is disposed after it.
/// </summary>
public abstract class StoreContract : IAsyncLifetime
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

    /// <summary>A fresh store, disposed after the test.</summary>
    protected async Task<IProfileStore> NewAsync()
    {
        var store = await CreateStoreAsync(new ProfileEngine(ProfileLimits.Default));
        _stores.Add(store);
        return store;
    }

    /// <summary>Disposes <paramref name="store"/> (the last one created) and opens its data again, as after a restart.</summary>
    protected async Task<IProfileStore> ReopenAsync(IProfileStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.DisposeAsync();
        _stores.Remove(store);
        var reopened = await ReopenStoreAsync(new ProfileEngine(ProfileLimits.Default));
        _stores.Add(reopened);
        return reopened;
    }
}
