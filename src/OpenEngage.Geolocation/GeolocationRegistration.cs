using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpenEngage.Geolocation;

/// <summary>Registers the <see cref="IGeoLocator"/> of the configured database, with <see cref="GeolocationOptions"/> bound once.</summary>
public static class GeolocationRegistration
{
    /// <summary>The category geolocation logs under.</summary>
    public const string LogCategory = "OpenEngage.Geolocation";

    /// <summary>
    /// Binds the <c>Geolocation</c> section and registers the locator, created on first use (the
    /// server resolves it at start, so a database that cannot be used stops the start).
    /// </summary>
    public static IServiceCollection AddOpenEngageGeolocation(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GeolocationOptions>().BindConfiguration(GeolocationOptions.Section).ValidateOnStart();
        services.TryAddSingleton(provider => GeoLocatorFactory.Create(
            provider.GetRequiredService<IOptions<GeolocationOptions>>().Value,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory)));
        return services;
    }
}
