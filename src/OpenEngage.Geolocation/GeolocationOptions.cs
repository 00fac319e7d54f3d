namespace OpenEngage.Geolocation;

/// <summary>The <c>Geolocation</c> configuration section.</summary>
public sealed class GeolocationOptions
{
    public const string Section = "Geolocation";

    /// <summary>
    /// Path of a MaxMind-format (.mmdb) city database, such as GeoLite2-City or GeoIP2-City.
    /// Null or empty turns geolocation off.
    /// </summary>
    public string? Database { get; set; }
}
