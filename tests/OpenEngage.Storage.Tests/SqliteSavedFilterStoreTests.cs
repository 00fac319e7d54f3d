using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

public sealed class SqliteSavedFilterStoreTests : SavedFilterStoreContract
{
    private readonly SqliteTestStores _stores = new("saved-filter");

    protected override Task<IProfileStore> CreateStoreAsync(ProfileEngine engine) => _stores.CreateAsync(engine);

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) => _stores.ReopenAsync(engine);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _stores.Delete();
    }
}
