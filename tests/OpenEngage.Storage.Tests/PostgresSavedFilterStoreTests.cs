using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

public sealed class PostgresSavedFilterStoreTests : SavedFilterStoreContract
{
    private string? _current;

    protected override async Task<IProfileStore> CreateStoreAsync(ProfileEngine engine)
    {
        _current = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("filters");
        return await OpenAsync(_current, engine);
    }

    protected override Task<IProfileStore> ReopenStoreAsync(ProfileEngine engine) =>
        OpenAsync(_current ?? throw new InvalidOperationException("No store was created yet."), engine);

    private static async Task<IProfileStore> OpenAsync(string connectionString, ProfileEngine engine)
    {
        var store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = connectionString }, engine, NullLogger<PostgresProfileStore>.Instance);
        await store.InitializeAsync();
        return store;
    }
}
