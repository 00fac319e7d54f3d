using System.Net;
using OpenEngage.Profiles;

namespace OpenEngage.Geolocation;

/// <summary>The locator used when no database is configured: knows no location.</summary>
public sealed class DisabledGeoLocator : IGeoLocator
{
    public static DisabledGeoLocator Instance { get; } = new();

    public bool IsEnabled => false;

    public GeoInfo? Locate(IPAddress address) => null;
}
