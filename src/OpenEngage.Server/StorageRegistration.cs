using Microsoft.Extensions.Options;
using OpenEngage.Storage.Postgres;
using OpenEngage.Storage.Sqlite;

namespace OpenEngage.Server;

/// <summary>
/// Chooses the store named by <c>Storage:Provider</c> and lets it register itself (each store binds and
/// validates its own settings); the server keeps only the provider and the data directory.
/// </summary>
public static class StorageRegistration
{
    public static IHostApplicationBuilder AddOpenEngageStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .PostConfigure(options => options.Path = StorageOptions.ResolvePath(options.Path))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DataDirectoryLease>();

        // Which store registers is decided by configuration at composition; an unknown provider
        // registers none, and StorageOptions' validation names it at start.
        var provider = builder.Configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"] ?? new StorageOptions().Provider;
        if (StorageOptions.IsSqliteProvider(provider))
        {
            services.AddOpenEngageSqliteStore(StorageOptions.Section);
            // The embedded store lives in the server's data directory (the per-user default when unset).
            services.AddOptions<SqliteStoreOptions>().PostConfigure<IOptions<StorageOptions>>((sqlite, storage) => sqlite.Path = storage.Value.Path);
        }
        else if (StorageOptions.IsPostgresProvider(provider))
        {
            services.AddOpenEngagePostgresStore(StorageOptions.Section);
        }

        return builder;
    }
}
