using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenEngage.Profiles;
using OpenEngage.Storage.Relational;

namespace OpenEngage.Storage.Postgres;

/// <summary>Registers the PostgreSQL store as the <see cref="IProfileStore"/>, with its options bound once and checked at start.</summary>
public static class PostgresStoreRegistration
{
    /// <summary>The configuration section the PostgreSQL store reads by default.</summary>
    public const string Section = "Storage";

    /// <summary>
    /// Binds <see cref="PostgresStoreOptions"/> from <paramref name="section"/> (<c>ConnectionString</c>,
    /// <c>MaxUpdatesPerCommit</c>, <c>MaxRetries</c>), validates them at start, and registers the store.
    /// It needs a <see cref="ProfileEngine"/> and logging.
    /// </summary>
    public static IServiceCollection AddOpenEngagePostgresStore(this IServiceCollection services, string section = Section)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PostgresStoreOptions>().BindConfiguration(section)
            .Validate(
                o => !string.IsNullOrWhiteSpace(o.ConnectionString),
                $"{section}:ConnectionString is required for the postgres provider (e.g. Host=db;Database=openengage;Username=…;Password=…).")
            .Validate(o => o.MaxUpdatesPerCommit >= 1, $"{section}:MaxUpdatesPerCommit must be at least 1.")
            .Validate(o => o.MaxRetries >= 0, $"{section}:MaxRetries must be 0 or more.")
            .ValidateOnStart();
        services.AddHistoryOptions();
        services.TryAddSingleton<IProfileStore>(provider => new PostgresProfileStore(
            provider.GetRequiredService<IOptions<PostgresStoreOptions>>().Value,
            provider.GetRequiredService<ProfileEngine>(),
            provider.GetRequiredService<ILogger<PostgresProfileStore>>(),
            provider.GetRequiredService<IOptions<HistoryOptions>>().Value));
        return services;
    }
}
