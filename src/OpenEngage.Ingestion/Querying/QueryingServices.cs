using Microsoft.Extensions.DependencyInjection;
using OpenEngage.Storage;

namespace OpenEngage.Querying;

/// <summary>Registers the read side: the paging sessions and the query service over the server's store.</summary>
public static class QueryingServices
{
    /// <summary>Adds <see cref="QuerySessions"/> bounded to <paramref name="maxSessionBytes"/> and <see cref="ProfileQueryService"/>.</summary>
    public static IServiceCollection AddProfileQueries(this IServiceCollection services, Func<IServiceProvider, long> maxSessionBytes)
    {
        ArgumentNullException.ThrowIfNull(maxSessionBytes);
        services.AddSingleton(provider => new QuerySessions(provider.GetService<TimeProvider>() ?? TimeProvider.System, maxSessionBytes(provider)));
        services.AddSingleton(provider => new ProfileQueryService(provider.GetRequiredService<IProfileStore>(), provider.GetRequiredService<QuerySessions>()));
        return services;
    }
}
