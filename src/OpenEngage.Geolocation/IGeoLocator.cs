using System.Net;
using OpenEngage.Profiles;

namespace OpenEngage.Geolocation;

/// <summary>Resolves an IP address to a location. Implementations are thread-safe.</summary>
public interface IGeoLocator
{
    /// <summary>
    /// The location of <paramref name="address"/>, or null when it is unknown (not in the database,
    /// a private or special address, or geolocation is off). Never throws.
    /// </summary>
    GeoInfo? Locate(IPAddress address);

    /// <summary>False when no database is configured: every lookup returns null.</summary>
    bool IsEnabled { get; }
}
