using System.Globalization;
using Microsoft.Extensions.Logging;

namespace OpenEngage.Geolocation;

/// <summary>Chooses the locator for the configured <c>Geolocation:Database</c>.</summary>
public static class GeoLocatorFactory
{
    /// <summary>
    /// No path: a <see cref="DisabledGeoLocator"/>, logging that geolocation is off. Otherwise a
    /// <see cref="MaxMindGeoLocator"/> on that database, logging its type and build date.
    /// </summary>
    /// <exception cref="GeolocationDatabaseException">
    /// The path does not exist or is not a usable city database; the message names the path.
    /// </exception>
    public static IGeoLocator Create(string? databasePath, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);

        if (string.IsNullOrWhiteSpace(databasePath))
        {
            LogMessages.GeolocationOff(logger);
            return DisabledGeoLocator.Instance;
        }

        var locator = new MaxMindGeoLocator(databasePath, logger);
        LogMessages.DatabaseLoaded(logger, databasePath, locator.DatabaseType, locator.BuildDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return locator;
    }

    /// <summary>Same as <see cref="Create(string?, ILogger)"/> from the <c>Geolocation</c> section.</summary>
    public static IGeoLocator Create(GeolocationOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options.Database, logger);
    }
}
