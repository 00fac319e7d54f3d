using Microsoft.Extensions.Logging;

namespace OpenEngage.Geolocation;

/// <summary>
/// Every log message of the geolocation assembly. Event ids 5000–5999 belong to geolocation
/// (the ranges of all assemblies are listed in <c>docs/operations.md</c>).
/// </summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Geolocation is off: Geolocation:Database is not set. Profiles get no $city, $region, $country_code or $timezone.")]
    internal static partial void GeolocationOff(ILogger logger);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Geolocation database {Path} loaded: {DatabaseType}, built {BuildDate}.")]
    internal static partial void DatabaseLoaded(ILogger logger, string path, string databaseType, string buildDate);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Geolocation lookup failed in database {Path}; such addresses are left unlocated.")]
    internal static partial void LookupFailed(ILogger logger, Exception exception, string path);
}
