using Microsoft.Extensions.DependencyInjection;

namespace OpenEngage.Http.RateLimiting;

/// <summary>Registers the rate limits of the HTTP edge.</summary>
public static class RateLimitingExtensions
{
    /// <summary>Binds <c>RateLimiting</c> (validated at start) and registers the limiters.</summary>
    public static IServiceCollection AddOpenEngageRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitingOptions>()
            .BindConfiguration(RateLimitingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<RecordRateLimiter>();
        services.AddSingleton<QueryConcurrencyLimiter>();
        services.AddSingleton(services => new AuthenticationThrottle(services.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }
}
