using OpenEngage.Profiles;

namespace OpenEngage.Storage.Tests;

public sealed class SqliteIdentityStoreTests : IdentityStoreContract
{
    private readonly SqliteTestStores _stores = new("identity");

    protected override Task<IProfileStore> CreateStoreAsync(ProfileEngine engine) => _stores.CreateAsync(engine);

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) => _stores.ReopenAsync(engine);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _stores.Delete();
    }
}
