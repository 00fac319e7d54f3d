using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

public sealed class PostgresSavedFilterStoreTests : SavedFilterStoreContract
{
    private readonly PostgresTestStores _stores = new("filters");

    protected override Task<IProfileStore> CreateStoreAsync(ProfileEngine engine) => _stores.CreateAsync(engine);

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) => _stores.ReopenAsync(engine);
}
