using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenEngage.Storage;

namespace OpenEngage.Querying;

/// <summary>Registers the read side: the store's reader (unless one is registered), the paging sessions, the query service and the as-of queries.</summary>
public static class QueryingServices
{
    /// <summary>Adds <see cref="QuerySessions"/> bounded to <paramref name="maxSessionBytes"/> and <see cref="ProfileQueryService"/>.</summary>
    public static IServiceCollection AddProfileQueries(this IServiceCollection services, Func<IServiceProvider, long> maxSessionBytes)
    {
        ArgumentNullException.ThrowIfNull(maxSessionBytes);
        services.AddSingleton(provider => new QuerySessions(provider.GetService<TimeProvider>() ?? TimeProvider.System, maxSessionBytes(provider)));
        services.TryAddSingleton<IProfileReader>(provider => provider.GetRequiredService<IProfileStore>());
        services.AddSingleton(provider => new ProfileQueryService(provider.GetRequiredService<IProfileReader>(), provider.GetRequiredService<QuerySessions>()));
        services.AddSingleton(provider => new AsOfQueryService(
            provider.GetRequiredService<IProfileReader>(),
            provider.GetService<IProfileHistory>() ?? (IProfileHistory)provider.GetRequiredService<IProfileStore>()));
        return services;
    }
}
