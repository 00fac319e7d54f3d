using Microsoft.Extensions.Logging.Abstractions;
using OpenEngage.Profiles;
using OpenEngage.Storage.Postgres;

namespace OpenEngage.Storage.Tests;

/// <summary>The PostgreSQL stores of one test class: each on a new database of the shared throwaway cluster.</summary>
public sealed class PostgresTestStores(string name)
{
    /// <summary>The connection string of the last database created.</summary>
    public string Current { get; private set; } = "";

    /// <summary>A fresh store on a new database.</summary>
    public async Task<IProfileStore> CreateAsync(ProfileEngine engine)
    {
        Current = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync(name);
        return await OpenAsync(Current, engine);
    }

    /// <summary>A store on the last database created: the same store opened again, or another node of it.</summary>
    public Task<IProfileStore> ReopenAsync(ProfileEngine engine) =>
        OpenAsync(Current.Length > 0 ? Current : throw new InvalidOperationException("No store was created yet."), engine);

    private static async Task<IProfileStore> OpenAsync(string connectionString, ProfileEngine engine)
    {
        var store = new PostgresProfileStore(new PostgresStoreOptions { ConnectionString = connectionString }, engine, NullLogger<PostgresProfileStore>.Instance);
        await store.InitializeAsync();
        return store;
    }
}
