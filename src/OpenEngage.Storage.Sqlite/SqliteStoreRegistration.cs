using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Sqlite;

/// <summary>Registers the embedded store as the <see cref="IProfileStore"/>, with its options bound once and checked at start.</summary>
public static class SqliteStoreRegistration
{
    /// <summary>The configuration section the embedded store reads by default.</summary>
    public const string Section = "Storage";

    /// <summary>
    /// Binds <see cref="SqliteStoreOptions"/> from <paramref name="section"/> (<c>Path</c>,
    /// <c>ProfileCacheSize</c>, <c>QueryParallelism</c>, <c>MaxUpdatesPerCommit</c>), validates them at
    /// start, and registers the store. It needs a <see cref="ProfileEngine"/> and logging.
    /// </summary>
    public static IServiceCollection AddOpenEngageSqliteStore(this IServiceCollection services, string section = Section)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SqliteStoreOptions>().BindConfiguration(section)
            .Validate(o => o.ProfileCacheSize is >= 0 and <= 100_000_000, $"{section}:ProfileCacheSize must be between 0 and 100000000.")
            .Validate(o => o.QueryParallelism is >= 1 and <= 1024, $"{section}:QueryParallelism must be between 1 and 1024.")
            .Validate(o => o.MaxUpdatesPerCommit >= 1, $"{section}:MaxUpdatesPerCommit must be at least 1.")
            .ValidateOnStart();
        services.AddHistoryOptions();
        services.TryAddSingleton<IProfileStore>(provider => new SqliteProfileStore(
            provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value,
            provider.GetRequiredService<ProfileEngine>(),
            provider.GetRequiredService<ILogger<SqliteProfileStore>>(),
            provider.GetRequiredService<IOptions<HistoryOptions>>().Value));
        return services;
    }
}
